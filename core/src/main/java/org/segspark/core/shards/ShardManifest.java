package org.segspark.core.shards;

import com.fasterxml.jackson.core.JsonProcessingException;
import java.io.Serializable;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.SerializationFeature;

import java.io.IOException;
import java.util.List;
import java.util.Map;

/**
 * The manifest of a shard set: what the shards hold, where they came from and how they were made.
 * Only files the manifest lists belong to the set; writing the manifest is the commit.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record ShardManifest(String format, int formatVersion, String task, String created,
                            Map<String, String> producer, Map<String, Object> source, JsonNode config,
                            Tensor tensor, List<String> classes, Normalization normalization,
                            Map<String, SplitInfo> splits, AccountingInfo accounting, InputsInfo inputs)
        implements Serializable {

    public static final String SEGMENTATION = "segmentation";
    public static final String CLASSIFICATION = "classification";

    /** Tensor shapes and encodings shared by every row. */
    public record Tensor(int height, int width, int channels, String imageLayout, String imageDtype,
                         String maskLayout, Integer ignoreLabel) implements Serializable {
    }

    /** Per-channel statistics of the training images in 0..255 units, for input normalisation. */
    public record Normalization(double[] mean, double[] std, String over) implements Serializable {
    }

    /** One split: examples, class frequencies and the shard files that hold it. */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record SplitInfo(long examples, long[] classPixels, Long ignoredPixels, long[] classExamples,
                            List<ShardFileInfo> shards) implements Serializable {
    }

    /** One shard file, relative to the shard set's root, with its row groups' row counts and checksum. */
    public record ShardFileInfo(String file, long rows, List<Long> rowGroups, long bytes, String sha256)
            implements Serializable {
    }

    /** The run's books: every input was either written or rejected. */
    public record AccountingInfo(long inputs, long written, long rejected, String rejectsFile)
            implements Serializable {
    }

    /**
     * What an incremental run needs from the previous one: a digest of the settings that shape the
     * rows (a different digest means a full rebuild) and the input index files, one per task.
     */
    public record InputsInfo(String settingsSha256, List<String> index) implements Serializable {
    }

    public SplitInfo split(String name) {
        SplitInfo s = splits.get(name);
        if (s == null) {
            throw new IllegalArgumentException("the shard set has no split \"" + name + "\" (it has " + splits.keySet() + ")");
        }
        return s;
    }

    public int numClasses() {
        return classes.size();
    }

    static ObjectMapper mapper() {
        return new ObjectMapper()
                .setPropertyNamingStrategy(PropertyNamingStrategies.SNAKE_CASE)
                .enable(SerializationFeature.INDENT_OUTPUT)
                .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);
    }

    public byte[] toJson() {
        try {
            return mapper().writeValueAsBytes(this);
        } catch (IOException e) {
            throw new IllegalStateException("cannot serialise manifest", e);
        }
    }

    /** Parses a manifest, refusing other formats and unknown versions before binding any field. */
    public static ShardManifest fromJson(byte[] json, String where) throws IOException {
        ObjectMapper m = mapper();
        JsonNode node;
        try {
            node = m.readTree(json);
        } catch (JsonProcessingException e) {
            var at = e.getLocation();
            throw new DamagedShardSetException(where + " is not valid JSON" + (at == null ? "" : " at line "
                    + at.getLineNr() + ", column " + at.getColumnNr()) + " (truncated or damaged?): " + e.getOriginalMessage(), e);
        }
        if (node == null || !node.isObject() || !ShardFormat.NAME.equals(node.path("format").asText())) {
            throw new UnsupportedShardFormatException(where + " is not a " + ShardFormat.NAME + " manifest");
        }
        JsonNode version = node.get("format_version");
        if (version == null || !version.canConvertToInt()) {
            throw new UnsupportedShardFormatException(where + " has no integer format_version");
        }
        ShardFormat.requireKnownVersion(version.asInt(), where);
        try {
            return m.treeToValue(node, ShardManifest.class);
        } catch (JsonProcessingException e) {
            throw new DamagedShardSetException(where + " does not describe a shard set: " + e.getOriginalMessage(), e);
        }
    }
}
