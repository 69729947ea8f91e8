package org.segspark.jobs.train;

import java.util.Objects;

import org.nd4j.linalg.schedule.ISchedule;
import org.nd4j.shade.jackson.annotation.JsonCreator;
import org.nd4j.shade.jackson.annotation.JsonProperty;

import java.util.Locale;

/**
 * The learning rate by epoch: a linear warm-up over the first {@code warmup} epochs (lr/W, 2lr/W,
 * ... lr), then constant, step (times {@code gamma} every {@code stepEpochs} epochs) or cosine
 * (from lr down to 0 at the last epoch). The epoch is the network's epoch count, which the trainer
 * sets before each epoch, so a broadcast or resumed network carries it.
 */
public final class EpochLrSchedule implements ISchedule {
    private static final long serialVersionUID = 1L;

    @JsonProperty("kind")
    private final String kind;
    @JsonProperty("lr")
    private final double lr;
    @JsonProperty("epochs")
    private final int epochs;
    @JsonProperty("warmup")
    private final int warmup;
    @JsonProperty("stepEpochs")
    private final int stepEpochs;
    @JsonProperty("gamma")
    private final double gamma;

    @JsonCreator
    public EpochLrSchedule(@JsonProperty("kind") String kind, @JsonProperty("lr") double lr,
                           @JsonProperty("epochs") int epochs, @JsonProperty("warmup") int warmup,
                           @JsonProperty("stepEpochs") int stepEpochs, @JsonProperty("gamma") double gamma) {
        String k = kind.toLowerCase(Locale.ROOT);
        if (!k.equals("constant") && !k.equals("step") && !k.equals("cosine")) {
            throw new IllegalArgumentException("optimizer.schedule must be constant, step or cosine, got \"" + kind + "\"");
        }
        if (!(lr > 0) || epochs < 1 || warmup < 0 || (warmup > 0 && warmup >= epochs)) {
            throw new IllegalArgumentException("schedule needs lr > 0, epochs >= 1 and 0 <= warmup-epochs < epochs, got lr "
                    + lr + ", epochs " + epochs + ", warmup " + warmup);
        }
        if (k.equals("step") && (stepEpochs < 1 || !(gamma > 0) || gamma > 1)) {
            throw new IllegalArgumentException("a step schedule needs step-epochs >= 1 and 0 < step-gamma <= 1, got "
                    + stepEpochs + " and " + gamma);
        }
        this.kind = k;
        this.lr = lr;
        this.epochs = epochs;
        this.warmup = warmup;
        this.stepEpochs = stepEpochs;
        this.gamma = gamma;
    }

    /** {@code epoch} counts finished epochs (0 during the first). */
    @Override
    public double valueAt(int iteration, int epoch) {
        if (epoch < warmup) {
            return lr * (epoch + 1) / (warmup + 1);
        }
        int e = epoch - warmup;
        return switch (kind) {
            case "step" -> lr * Math.pow(gamma, e / stepEpochs);
            case "cosine" -> lr * 0.5 * (1 + Math.cos(Math.PI * e / Math.max(1, epochs - warmup)));
            default -> lr;
        };
    }

    @Override
    public ISchedule clone() {
        return new EpochLrSchedule(kind, lr, epochs, warmup, stepEpochs, gamma);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof EpochLrSchedule s && s.kind.equals(kind) && s.lr == lr && s.epochs == epochs
                && s.warmup == warmup && s.stepEpochs == stepEpochs && s.gamma == gamma;
    }

    @Override
    public int hashCode() {
        return Objects.hash(kind, lr, epochs, warmup, stepEpochs, gamma);
    }
}
