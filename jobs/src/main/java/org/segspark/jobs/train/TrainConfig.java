package org.segspark.jobs.train;

import com.typesafe.config.Config;

import java.io.Serializable;
import java.util.Locale;

/**
 * Settings of {@code segspark train} (HOCON section {@code train}; defaults and their meaning in
 * {@code conf/train.conf}).
 */
public record TrainConfig(String model, String data, String out, int epochs, int batch, Mode mode, int workers,
                          int threadsPerTask, int averagingFrequency, int prefetch, long seed, double widthMultiplier,
                          Normalization normalization, Optimizer optimizer, int evalBatch, int reportSamples,
                          int keepCheckpoints) implements Serializable {

    /** How training is distributed. */
    public enum Mode {
        PARAMETER_AVERAGING, LOCAL;

        static Mode parse(String s) {
            return switch (s.toLowerCase(Locale.ROOT)) {
                case "parameter-averaging" -> PARAMETER_AVERAGING;
                case "local" -> LOCAL;
                default -> throw new IllegalArgumentException("mode must be parameter-averaging or local, got \"" + s + "\"");
            };
        }

        public String id() {
            return name().toLowerCase(Locale.ROOT).replace('_', '-');
        }
    }

    /** How input pixels are scaled before the network sees them. */
    public enum Normalization {
        DATASET, IMAGE;

        static Normalization parse(String s) {
            try {
                return valueOf(s.toUpperCase(Locale.ROOT));
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("normalization must be dataset or image, got \"" + s + "\"");
            }
        }
    }

    /** The updater and its regularisation. */
    public record Optimizer(String name, double lr, double weightDecay) implements Serializable {
        public Optimizer {
            if (!name.equals("adam") && !name.equals("sgd")) {
                throw new IllegalArgumentException("optimizer.name must be adam or sgd, got \"" + name + "\"");
            }
            if (!(lr > 0)) {
                throw new IllegalArgumentException("optimizer.lr must be positive, got " + lr);
            }
            if (weightDecay < 0) {
                throw new IllegalArgumentException("optimizer.weight-decay must be >= 0, got " + weightDecay);
            }
        }
    }

    public TrainConfig {
        positive("epochs", epochs);
        positive("batch", batch);
        positive("averaging-frequency", averagingFrequency);
        positive("eval.batch", evalBatch);
        positive("checkpoint.keep", keepCheckpoints);
        if (threadsPerTask < 0) {
            throw new IllegalArgumentException("threads-per-task must be >= 0 (0 = spark.task.cpus), got " + threadsPerTask);
        }
        if (workers < 0) {
            throw new IllegalArgumentException("workers must be >= 0 (0 = Spark's default parallelism), got " + workers);
        }
        if (prefetch < 0 || reportSamples < 0) {
            throw new IllegalArgumentException("prefetch and report.samples must be >= 0");
        }
    }

    private static void positive(String key, int v) {
        if (v < 1) {
            throw new IllegalArgumentException(key + " must be >= 1, got " + v);
        }
    }

    public static TrainConfig from(Config c) {
        return new TrainConfig(c.getString("model"), required(c, "data"), required(c, "out"), c.getInt("epochs"),
                c.getInt("batch"), Mode.parse(c.getString("mode")), c.getInt("workers"), c.getInt("threads-per-task"),
                c.getInt("averaging-frequency"), c.getInt("prefetch"), c.getLong("seed"),
                c.getDouble("width-multiplier"), Normalization.parse(c.getString("normalization")),
                new Optimizer(c.getString("optimizer.name"), c.getDouble("optimizer.lr"),
                        c.getDouble("optimizer.weight-decay")),
                c.getInt("eval.batch"), c.getInt("report.samples"), c.getInt("checkpoint.keep"));
    }

    static String required(Config c, String key) {
        if (!c.hasPath(key) || c.getString(key).isBlank()) {
            throw new IllegalArgumentException("missing setting train." + key);
        }
        return c.getString(key);
    }
}
