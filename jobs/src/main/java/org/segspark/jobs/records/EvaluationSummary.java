package org.segspark.jobs.records;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;

import java.util.Map;

/** What {@code segspark evaluate --json} prints: a saved network's figures on a shard set's split. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record EvaluationSummary(@JsonProperty("model") String model,
                                @JsonProperty("data") String data,
                                @JsonProperty("split") String split,
                                @JsonProperty("examples") long examples,
                                @JsonProperty("loss") double loss,
                                @JsonProperty("miou") Double miou,
                                @JsonProperty("pixel_accuracy") Double pixelAccuracy,
                                @JsonProperty("per_class_iou") Map<String, Double> perClassIou,
                                @JsonProperty("top1") Double top1) {

    public boolean segmentation() {
        return miou != null;
    }
}
