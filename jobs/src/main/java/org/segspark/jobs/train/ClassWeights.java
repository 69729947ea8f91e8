package org.segspark.jobs.train;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigValueType;
import org.segspark.core.shards.ShardManifest;

import java.io.Serializable;
import java.util.Arrays;
import java.util.Locale;

/**
 * Loss weights per class ({@code train.class-weights}): {@code none}, {@code balanced} (from the
 * training split's class frequencies in the manifest: w[c] = total / (present classes x count[c]),
 * so a class seen as often as the average weighs 1, rarer ones more) or one value per class.
 */
public record ClassWeights(String mode, double[] values) implements Serializable {
    public static final ClassWeights NONE = new ClassWeights("none", null);

    public ClassWeights {
        if (values != null) {
            boolean positive = false;
            for (double v : values) {
                if (!(v >= 0) || Double.isInfinite(v)) {
                    throw new IllegalArgumentException("class-weights must be finite and >= 0, got " + Arrays.toString(values));
                }
                positive |= v > 0;
            }
            if (!positive) {
                throw new IllegalArgumentException("class-weights are all 0: nothing would be learnt");
            }
        }
    }

    static ClassWeights parse(Config c, String key) {
        if (c.getValue(key).valueType() == ConfigValueType.LIST) {
            return new ClassWeights("list", c.getDoubleList(key).stream().mapToDouble(Double::doubleValue).toArray());
        }
        String s = c.getString(key).toLowerCase(Locale.ROOT);
        return switch (s) {
            case "none" -> NONE;
            case "balanced" -> new ClassWeights("balanced", null);
            default -> throw new IllegalArgumentException(
                    "class-weights must be none, balanced or a list of numbers (one per class), got \"" + s + "\"");
        };
    }

    /** The weights for a model of {@code classes} classes trained on {@code m}'s training split; null for none. */
    public double[] resolve(ShardManifest m, int classes) {
        return switch (mode) {
            case "none" -> null;
            case "list" -> {
                if (values.length != classes) {
                    throw new IllegalArgumentException("class-weights has " + values.length + " values but the model has "
                            + classes + " classes " + m.classes());
                }
                yield values.clone();
            }
            default -> balanced(m, classes);
        };
    }

    static double[] balanced(ShardManifest m, int classes) {
        ShardManifest.SplitInfo train = m.split("train");
        long[] counts = train.classPixels() != null ? train.classPixels() : train.classExamples();
        if (counts == null) {
            throw new IllegalArgumentException("class-weights = balanced needs the class frequencies of the training split, "
                    + "which the manifest lacks");
        }
        long total = 0;
        int present = 0;
        for (int c = 0; c < Math.min(classes, counts.length); c++) {
            total += counts[c];
            present += counts[c] > 0 ? 1 : 0;
        }
        double[] w = new double[classes];
        for (int c = 0; c < classes; c++) {
            long n = c < counts.length ? counts[c] : 0;
            // a class absent from training has no loss terms to weigh
            w[c] = n > 0 ? total / ((double) present * n) : 1.0;
        }
        return w;
    }
}
