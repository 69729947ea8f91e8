package org.segspark.jobs.nas;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.databind.JsonNode;

import java.util.List;

/**
 * PRUNED/prune.json: what pruning a search run kept and what it saves, in parameters, MACs, ONNX
 * bytes and ONNX Runtime latency ("before" is the unpruned architecture as a plain network).
 *
 * @param unetDepthKept the U-Net depth kept (null for a classifier)
 * @param architecture  the pruned architecture (as in architecture.json)
 */
public record PruneReport(@JsonProperty("from") String from,
                          @JsonProperty("params_before") long paramsBefore,
                          @JsonProperty("params_after") long paramsAfter,
                          @JsonProperty("macs_before") long macsBefore,
                          @JsonProperty("macs_after") long macsAfter,
                          @JsonProperty("onnx_before") PruneJob.OnnxFigures onnxBefore,
                          @JsonProperty("onnx_after") PruneJob.OnnxFigures onnxAfter,
                          @JsonInclude(JsonInclude.Include.ALWAYS) @JsonProperty("unet_depth_kept") Integer unetDepthKept,
                          @JsonProperty("cells") List<Cell> cells,
                          @JsonProperty("architecture") JsonNode architecture) {

    /** A surviving cell: the indices of the channels it keeps and the steps it keeps. */
    public record Cell(@JsonProperty("cell") String cell,
                       @JsonProperty("channels_kept") int channelsKept,
                       @JsonProperty("kept") int[] kept,
                       @JsonProperty("steps_kept") Integer stepsKept) {
    }
}
