package org.segspark.nas;

import com.fasterxml.jackson.annotation.JsonAlias;
import com.fasterxml.jackson.annotation.JsonProperty;
import org.segspark.models.EpochLog;

import java.util.List;

/**
 * Where a search stands after an epoch, one line of RUN/search.jsonl.
 *
 * @param ce             the epoch's mean training cross-entropy
 * @param archLoss       the size term k * f(size / full size, target)
 * @param size           the cells' size as the size loss measures it: what pruning would keep now
 *                       (measure pruned) or the gates' and depth mixtures' soft count (relaxed);
 *                       logs written before the measure existed name it relaxed_size
 * @param fullSize       the same count with every channel, step and U-Net level kept
 * @param netDepth       the learnt U-Net depth (expected value of its mixture); null for a classifier
 * @param netDepthKept   the U-Net depth pruning would keep
 * @param paramsFull     parameters of the plain network of the architecture as built
 * @param paramsIfPruned parameters of the plain network pruning would make now
 */
public record SearchEpoch(@JsonProperty("epoch") int epoch,
                          @JsonProperty("ce") Double ce,
                          @JsonProperty("arch_loss") double archLoss,
                          @JsonProperty("size") @JsonAlias("relaxed_size") double size,
                          @JsonProperty("full_size") double fullSize,
                          @JsonProperty("size_ratio") double sizeRatio,
                          @JsonProperty("net_depth") Double netDepth,
                          @JsonProperty("net_depth_kept") int netDepthKept,
                          @JsonProperty("params_full") long paramsFull,
                          @JsonProperty("params_if_pruned") long paramsIfPruned,
                          @JsonProperty("cells") List<Cell> cells) implements EpochLog.Row {

    /**
     * One cell instance.
     *
     * @param live         channels pruning would keep
     * @param softChannels the relaxed channel count
     * @param depth        the learnt convolution depth (expected steps)
     * @param stepsKept    the steps pruning would keep
     */
    public record Cell(@JsonProperty("cell") String cell,
                       @JsonProperty("channels") int channels,
                       @JsonProperty("live") int live,
                       @JsonProperty("soft_channels") double softChannels,
                       @JsonProperty("depth") double depth,
                       @JsonProperty("steps") int steps,
                       @JsonProperty("steps_kept") int stepsKept) {

        /** The cell's name without the U-Net depth its copy serves. */
        public String level() {
            return cell.replaceFirst("_p\\d+$", "");
        }
    }
}
