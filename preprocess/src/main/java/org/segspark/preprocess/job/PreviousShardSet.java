package org.segspark.preprocess.job;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.Path;
import org.segspark.preprocess.io.Accounting;
import org.segspark.core.io.HadoopFiles;
import org.segspark.preprocess.io.Reject;
import org.segspark.preprocess.io.RejectsTable;
import org.segspark.core.shards.ShardFormat;
import org.segspark.core.shards.ShardManifest;
import org.segspark.core.shards.UnsupportedShardFormatException;

import java.io.IOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The committed shard set an incremental run builds on. A task's files are reused whole: when
 * every item its input index lists is still listed by the source with the same fingerprint, its
 * shard files, statistics and rejects carry over; otherwise the files are dropped and the items
 * still present are processed again. A set made with other settings (tensor size, mapping,
 * split, ...) is not built on at all.
 */
final class PreviousShardSet {
    /** One earlier task: its input index file (relative to the root) and contents. */
    record Part(String file, PartIndex index) {
    }

    private final ShardManifest manifest;
    private final List<Part> parts;
    private final String why;
    private final Path root;
    private final Configuration conf;
    private final Map<String, ShardManifest.ShardFileInfo> files = new HashMap<>();

    private PreviousShardSet(ShardManifest manifest, List<Part> parts, String why, Path root, Configuration conf) {
        this.manifest = manifest;
        this.parts = parts;
        this.why = why;
        this.root = root;
        this.conf = conf;
        if (manifest != null) {
            manifest.splits().values().forEach(s -> s.shards().forEach(f -> files.put(f.file(), f)));
        }
    }

    private static PreviousShardSet unusable(String why) {
        return new PreviousShardSet(null, List.of(), why, null, null);
    }

    /** The committed set under {@code root}, or an unusable one saying why a full run is needed. */
    static PreviousShardSet load(Path root, Configuration conf, String settings) throws IOException {
        Path m = new Path(root, ShardFormat.MANIFEST);
        if (!HadoopFiles.fs(m, conf).exists(m)) {
            return unusable("no earlier shard set");
        }
        ShardManifest manifest;
        try {
            manifest = ShardManifest.fromJson(HadoopFiles.readAll(m, conf), m.toString());
        } catch (UnsupportedShardFormatException e) {
            return unusable("the earlier set is not readable as this format: " + e.getMessage());
        }
        if (manifest.inputs() == null) {
            return unusable("the earlier set has no input index");
        }
        if (!settings.equals(manifest.inputs().settingsSha256())) {
            return unusable("settings changed since the earlier set was made");
        }
        List<Part> parts = new ArrayList<>();
        for (String f : manifest.inputs().index()) {
            try {
                parts.add(new Part(f, PartIndex.read(new Path(root, f), conf)));
            } catch (IOException e) {
                // its items are simply processed again; its files are dropped with the commit
            }
        }
        return new PreviousShardSet(manifest, parts, null, root, conf);
    }

    boolean usable() {
        return manifest != null;
    }

    String why() {
        return why;
    }

    ShardManifest manifest() {
        return manifest;
    }

    /** Earlier tasks listed by the manifest, readable or not. */
    int partCount() {
        return manifest.inputs().index().size();
    }

    ShardManifest.ShardFileInfo file(String relative) {
        return files.get(relative);
    }

    /** The earlier tasks all of whose items are listed now with the fingerprint they had then. */
    List<Part> unchangedParts(Map<String, String> current) {
        List<Part> kept = new ArrayList<>();
        for (Part p : parts) {
            boolean same = p.index().files().values().stream().allMatch(files::containsKey);
            for (InputFingerprint.Keyed k : p.index().inputs()) {
                same &= k.fingerprint().equals(current.get(k.key()));
            }
            if (same) {
                kept.add(p);
            }
        }
        return kept;
    }

    /** True when a run with these books would commit exactly what is committed already. */
    boolean sameBooks(Accounting accounting, List<Reject> rejects) throws IOException {
        ShardManifest.AccountingInfo a = manifest.accounting();
        if (a == null || a.inputs() != accounting.inputs() || a.written() != accounting.written()
                || a.rejected() != accounting.rejected()) {
            return false;
        }
        Path table = new Path(root, RejectsTable.FILE);
        return HadoopFiles.fs(table, conf).exists(table) && RejectsTable.read(table, conf).equals(rejects);
    }

    /**
     * A digest of everything that shapes the rows besides the inputs themselves: format version,
     * task, classes, tensor and file layout, and the job's settings (without its output location).
     */
    static String settingsDigest(ShardJob.Spec spec) {
        ObjectMapper mapper = new ObjectMapper().enable(SerializationFeature.ORDER_MAP_ENTRIES_BY_KEYS);
        ShardJobOptions o = spec.options();
        Map<String, Object> s = new LinkedHashMap<>();
        s.put("format_version", ShardFormat.VERSION);
        s.put("task", spec.task());
        s.put("classes", spec.classes());
        // channels joined the digest after RGB sets were made: those keep theirs, and are not remade
        s.put("tensor", spec.channels() == 3 ? List.of(o.height(), o.width())
                : List.of(o.height(), o.width(), spec.channels()));
        s.put("layout", List.of(o.rowGroupRows(), o.shardRows(), o.codec().name()));
        s.put("jpeg_dct_scaling", o.jpegDctScaling());
        JsonNode config = spec.config();
        if (config != null && config.isObject()) {
            @SuppressWarnings("unchecked")
            Map<String, Object> c = mapper.convertValue(config, Map.class);
            c.remove("out");
            c.remove("incremental");
            c.remove("force");
            c.remove("allow-shrink");
            s.put("config", c);
        }
        try {
            return HadoopFiles.sha256(mapper.writeValueAsBytes(s));
        } catch (IOException e) {
            throw new IllegalStateException("cannot serialise the settings", e);
        }
    }
}
