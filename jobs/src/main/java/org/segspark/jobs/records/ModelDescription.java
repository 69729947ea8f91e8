package org.segspark.jobs.records;

import com.fasterxml.jackson.annotation.JsonAnyGetter;
import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.databind.JsonNode;

import java.util.List;
import java.util.Map;

/**
 * RUN/model.json: what a saved network is and how it was made (Tribuo-style provenance): the
 * model and its size, what predict needs to feed it new images, the data set (with its manifest's
 * checksum), the settings it was trained with, the code version, where it ran and its final
 * figures. Models add entries of their own ({@code extras}: a searchable network's
 * {@code architecture}); export adds {@code onnx}.
 */
public record ModelDescription(@JsonProperty("model") String model,
                               @JsonProperty("task") String task,
                               @JsonProperty("reference") String reference,
                               @JsonProperty("input") List<Integer> input,
                               @JsonProperty("classes") List<String> classes,
                               @JsonProperty("params_total") long paramsTotal,
                               @JsonProperty("params_trainable") long paramsTrainable,
                               @JsonProperty("macs") long macs,
                               @JsonProperty("input_transform") InputTransform inputTransform,
                               @JsonProperty("normalization") NormalizationInfo normalization,
                               @JsonProperty("class_weights") double[] classWeights,
                               @JsonProperty("data") DataInfo data,
                               @JsonProperty("train_config") JsonNode trainConfig,
                               @JsonProperty("code") Map<String, String> code,
                               @JsonProperty("spark") SparkInfo spark,
                               @JsonProperty("metrics") Map<String, JsonNode> metrics,
                               @JsonProperty("created") String created,
                               @JsonProperty("host") String host,
                               @JsonIgnore Map<String, Object> extras) {

    /** The geometry predict gives new images: the training tensors'. */
    public record InputTransform(@JsonProperty("height") int height,
                                 @JsonProperty("width") int width,
                                 @JsonProperty("aspect") String aspect,
                                 @JsonProperty("jpeg_dct_scaling") boolean jpegDctScaling) {
    }

    /** Input normalisation: dataset (these per-channel mean and std) or image (each image's own). */
    public record NormalizationInfo(@JsonProperty("mode") String mode,
                                    @JsonProperty("mean") double[] mean,
                                    @JsonProperty("std") double[] std) {
    }

    /** The shard set trained on. */
    public record DataInfo(@JsonProperty("shards") String shards,
                           @JsonProperty("manifest_sha256") String manifestSha256,
                           @JsonProperty("manifest_created") String manifestCreated,
                           @JsonProperty("format_version") int formatVersion,
                           @JsonProperty("source") Object source) {
    }

    /** Where training ran. */
    public record SparkInfo(@JsonProperty("master") String master,
                            @JsonProperty("version") String version,
                            @JsonProperty("workers") int workers,
                            @JsonProperty("mode") String mode) {
    }

    @JsonAnyGetter
    public Map<String, Object> extraEntries() {
        return extras;
    }
}
