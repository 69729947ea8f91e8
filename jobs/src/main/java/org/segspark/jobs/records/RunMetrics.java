package org.segspark.jobs.records;

import com.fasterxml.jackson.annotation.JsonAnyGetter;
import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import org.segspark.core.Task;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * RUN/metrics.json: the last epoch's validation figures (mIoU, pixel accuracy and IoU per class
 * for segmentation; top-1 for classification), the confusion matrix (rows: truth, columns:
 * prediction), and the whole history.
 *
 * @param trainMetric train_miou or train_top1 by the task: the last epoch's figure on a sample of
 *                    training examples (null when eval.train-examples is 0)
 * @param bestEpoch   the epoch whose validation figure last rose by early-stopping.min-delta
 * @param wallSeconds the run's time, preparation and evaluation included
 */
public record RunMetrics(@JsonProperty("task") String task,
                         @JsonProperty("classes") List<String> classes,
                         @JsonInclude(JsonInclude.Include.NON_NULL) @JsonProperty("miou") Double miou,
                         @JsonInclude(JsonInclude.Include.NON_NULL) @JsonProperty("pixel_accuracy") Double pixelAccuracy,
                         @JsonInclude(JsonInclude.Include.NON_NULL) @JsonProperty("per_class_iou") Map<String, Double> perClassIou,
                         @JsonInclude(JsonInclude.Include.NON_NULL) @JsonProperty("top1") Double top1,
                         @JsonIgnore Double trainMetric,
                         @JsonProperty("train_loss") Double trainLoss,
                         @JsonProperty("val_loss") Double valLoss,
                         @JsonProperty("confusion_matrix") long[][] confusionMatrix,
                         @JsonProperty("epochs") int epochs,
                         @JsonProperty("best_epoch") int bestEpoch,
                         @JsonProperty("wall_seconds") double wallSeconds,
                         @JsonProperty("history") List<EpochMetrics> history) {

    /** The name of the validation figure runs are compared by: miou, or top1. */
    public String headlineName() {
        return miou != null || Task.SEGMENTATION.id().equals(task) ? "miou" : "top1";
    }

    /** The validation figure runs are compared by: mIoU, or top-1. */
    public Double headline() {
        return Task.SEGMENTATION.id().equals(task) ? miou : top1;
    }

    /** The train figure under its task's name, written even when null. */
    @JsonAnyGetter
    public Map<String, Object> trainEntry() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put(Task.SEGMENTATION.id().equals(task) ? "train_miou" : "train_top1", trainMetric);
        return m;
    }
}
