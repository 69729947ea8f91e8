package org.segspark.jobs.records;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;

import org.segspark.core.Task;

import java.util.Arrays;
import java.util.List;

/**
 * One epoch's figures: validation mIoU and pixel accuracy (segmentation) or top-1
 * (classification), and the same measured on a fixed sample of training examples with the
 * epoch's final weights (train_miou, train_top1; null when eval.train-examples is 0). Losses are
 * mean cross-entropy per pixel (segmentation) or per image (classification); train_loss is the
 * mean over the epoch's minibatches. NaN is written as null.
 */
@JsonInclude(JsonInclude.Include.ALWAYS)
public record EpochMetrics(
        @JsonProperty("epoch") int epoch,
        @JsonProperty("train_loss") Double trainLoss,
        @JsonProperty("val_loss") Double valLoss,
        @JsonProperty("miou") Double miou,
        @JsonProperty("pixel_accuracy") Double pixelAccuracy,
        @JsonProperty("top1") Double top1,
        @JsonProperty("per_class_iou") List<Double> perClassIou,
        @JsonProperty("train_miou") Double trainMiou,
        @JsonProperty("train_top1") Double trainTop1,
        @JsonProperty("train_seconds") double trainSeconds,
        @JsonProperty("eval_seconds") double evalSeconds,
        @JsonProperty("train_examples") long trainExamples,
        @JsonProperty("images_per_s") double imagesPerSecond) {

    public static Double finite(double v) {
        return Double.isFinite(v) ? v : null;
    }

    public static List<Double> finite(double[] v) {
        return Arrays.stream(v).mapToObj(EpochMetrics::finite).toList();
    }

    /** The validation figure early stopping and the best checkpoint follow: mIoU, or top-1. */
    public Double headline(Task task) {
        return task == Task.SEGMENTATION ? miou : top1;
    }

    /**
     * The epoch (1-based) whose validation figure last rose by at least {@code minDelta} over the
     * best before it; epochs without a figure never count as gains.
     */
    public static int bestEpoch(List<EpochMetrics> history, Task task, double minDelta) {
        double best = Double.NEGATIVE_INFINITY;
        int epoch = 0;
        for (EpochMetrics m : history) {
            Double v = m.headline(task);
            if (epoch == 0 || (v != null && v > best + minDelta)) {
                best = v == null ? Double.NEGATIVE_INFINITY : v;
                epoch = m.epoch();
            }
        }
        return epoch;
    }
}
