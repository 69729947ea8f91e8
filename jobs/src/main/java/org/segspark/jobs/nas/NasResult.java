package org.segspark.jobs.nas;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.databind.JsonNode;

/**
 * OUT/nas-result.json: a search end to end, its validation metric (miou or top1) and size before
 * pruning and after fine-tuning. {@code segspark nas demo} adds the unpruned network trained for
 * as many epochs (the {@code unpruned_*} entries).
 *
 * @param metricAfter    the fine-tuned network's metric (null without fine-tuning epochs)
 * @param paramsRemoved  share of the parameters pruning removed
 */
public record NasResult(@JsonProperty("metric") String metric,
                        @JsonProperty("params_before") long paramsBefore,
                        @JsonProperty("params_after") long paramsAfter,
                        @JsonProperty("macs_before") long macsBefore,
                        @JsonProperty("macs_after") long macsAfter,
                        @JsonProperty("onnx_before") PruneJob.OnnxFigures onnxBefore,
                        @JsonProperty("onnx_after") PruneJob.OnnxFigures onnxAfter,
                        @JsonProperty("metric_before") Double metricBefore,
                        @JsonInclude(JsonInclude.Include.ALWAYS) @JsonProperty("metric_after") Double metricAfter,
                        @JsonProperty("search_epochs") int searchEpochs,
                        @JsonProperty("finetune_epochs") int finetuneEpochs,
                        @JsonProperty("params_removed") double paramsRemoved,
                        @JsonProperty("architecture_after") JsonNode architectureAfter,
                        @JsonProperty("seconds") double seconds,
                        @JsonInclude(JsonInclude.Include.NON_NULL) @JsonProperty("unpruned_metric") Double unprunedMetric,
                        @JsonInclude(JsonInclude.Include.NON_NULL) @JsonProperty("unpruned_params") Long unprunedParams,
                        @JsonInclude(JsonInclude.Include.NON_NULL) @JsonProperty("unpruned_epochs") Integer unprunedEpochs,
                        @JsonInclude(JsonInclude.Include.NON_NULL) @JsonProperty("metric_lost_vs_unpruned") Double metricLostVsUnpruned,
                        @JsonInclude(JsonInclude.Include.NON_NULL) @JsonProperty("minutes_end_to_end") Double minutesEndToEnd) {

    /** The demo's comparison: the unpruned network trained for the search's and fine-tuning's epochs together. */
    public NasResult withUnpruned(double metric, long params, int epochs, double minutes) {
        return new NasResult(this.metric, paramsBefore, paramsAfter, macsBefore, macsAfter, onnxBefore, onnxAfter,
                metricBefore, metricAfter, searchEpochs, finetuneEpochs, paramsRemoved, architectureAfter, seconds,
                metric, params, epochs, metric - (metricAfter == null ? Double.NaN : metricAfter), minutes);
    }
}
