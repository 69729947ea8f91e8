package org.segspark.jobs.train;

import com.typesafe.config.Config;

import java.io.Serializable;
import java.util.Locale;

/**
 * Settings of {@code segspark train} (HOCON section {@code train}; defaults and their meaning in
 * {@code conf/train.conf}).
 */
public record TrainConfig(String model, String task, String data, String valData, String out, int classes,
                          int epochs, int batch, Mode mode, int workers, int threadsPerTask, int averagingFrequency,
                          int prefetch, boolean flip, long seed, double widthMultiplier, ModelOptions modelOptions,
                          Normalization normalization, Optimizer optimizer, int evalBatch, int evalTrainExamples,
                          int bnRecomputeExamples, int reportSamples, int keepCheckpoints, String device,
                          GradientSharing gradientSharing, EarlyStopping earlyStopping, ClassWeights classWeights)
        implements Serializable {

    /** Gradient sharing through DL4J's SharedTrainingMaster rather than segspark's exchange. */
    public boolean dl4jSharing() {
        return mode == Mode.GRADIENT_SHARING && gradientSharing.exchange().equals(GradientSharing.DL4J);
    }


    public static final String AUTO = "auto";

    /**
     * Architecture options beyond the registry model's defaults; null keeps the model's default.
     *
     * @param outputStride  DeepLabV3+: 16 or 8
     * @param padding       U-Net: same or valid (valid: labels are centre-cropped to the output, as in the paper)
     * @param head          unet-vgg16: sigmoid (binary, two classes) or softmax
     * @param freezeEncoder keep the encoder fixed (with pretrained weights)
     * @param pretrained    Keras Applications "notop" .h5 weights for the encoder (VGG16 or MobileNetV2 encoders)
     * @param architecture  nas models: search settings as JSON, or the location of a saved architecture.json
     * @param initFrom      start from a saved network's weights, matched by layer name (a run folder or a model .zip)
     */
    public record ModelOptions(Integer outputStride, String padding, String head, Boolean freezeEncoder,
                               String pretrained, String architecture, String initFrom) implements Serializable {
    }

    /** How training is distributed. */
    public enum Mode {
        PARAMETER_AVERAGING, GRADIENT_SHARING, LOCAL;

        static Mode parse(String s) {
            return switch (s.toLowerCase(Locale.ROOT)) {
                case "parameter-averaging" -> PARAMETER_AVERAGING;
                case "gradient-sharing" -> GRADIENT_SHARING;
                case "local" -> LOCAL;
                default -> throw new IllegalArgumentException(
                        "mode must be parameter-averaging, gradient-sharing or local, got \"" + s + "\"");
            };
        }

        public String id() {
            return name().toLowerCase(Locale.ROOT).replace('_', '-');
        }
    }

    /**
     * Gradient sharing: every minibatch's update reaches every worker, instead of parameters being
     * averaged now and then. {@code sync} is segspark's synchronous exchange between the tasks of a
     * barrier stage; {@code dl4j} is DL4J's SharedTrainingMaster (threshold-encoded updates over
     * Aeron UDP, asynchronous), whose settings are the rest.
     *
     * @param exchange      sync or dl4j
     * @param mean          sync: apply the mean of the workers' updates instead of their sum
     * @param bfloat16      sync: send the updates as bfloat16, the rounding kept and sent with the next step
     * @param threshold     the encoding threshold (the adaptive algorithm's starting value): update
     *                      elements of at least this magnitude are sent, the rest accumulate
     * @param adaptive      adapt the threshold to keep the sparsity of the messages in DL4J's target band
     * @param port          the driver's (controller's) UDP port; workers take a free port each
     * @param residualClip  clip the accumulated residual at this many thresholds (0 = DL4J's default)
     */
    public record GradientSharing(String exchange, boolean mean, boolean bfloat16, double threshold, boolean adaptive,
                                  int port, int residualClip) implements Serializable {
        public static final String SYNC = "sync";
        public static final String DL4J = "dl4j";

        public GradientSharing {
            if (!exchange.equals(SYNC) && !exchange.equals(DL4J)) {
                throw new IllegalArgumentException("gradient-sharing.exchange must be sync or dl4j, got \"" + exchange + "\"");
            }
            if (!(threshold > 0)) {
                throw new IllegalArgumentException("gradient-sharing.threshold must be > 0, got " + threshold);
            }
            if (port < 1024 || port > 65535) {
                throw new IllegalArgumentException("gradient-sharing.port must be 1024..65535, got " + port);
            }
            if (residualClip < 0) {
                throw new IllegalArgumentException("gradient-sharing.residual-clip must be >= 0, got " + residualClip);
            }
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

    /**
     * The updater, its regularisation and learning-rate schedule.
     *
     * @param name        adam, adamw (Adam with decoupled weight decay) or sgd (Nesterov momentum)
     * @param weightDecay L2 for adam and sgd; decoupled decay (w -= lr * wd * w) for adamw
     * @param schedule    constant, step or cosine, after {@code warmupEpochs} epochs of linear warm-up
     */
    public record Optimizer(String name, double lr, double weightDecay, double momentum, String schedule,
                            int warmupEpochs, int stepEpochs, double stepGamma, String lrScaling)
            implements Serializable {
        public Optimizer {
            if (!lrScaling.equals("none") && !lrScaling.equals("sqrt") && !lrScaling.equals("linear")) {
                throw new IllegalArgumentException("optimizer.lr-scaling must be none, sqrt or linear, got \"" + lrScaling + "\"");
            }
            if (!name.equals("adam") && !name.equals("adamw") && !name.equals("sgd")) {
                throw new IllegalArgumentException("optimizer.name must be adam, adamw or sgd, got \"" + name + "\"");
            }
            if (!(lr > 0)) {
                throw new IllegalArgumentException("optimizer.lr must be positive, got " + lr);
            }
            if (weightDecay < 0) {
                throw new IllegalArgumentException("optimizer.weight-decay must be >= 0, got " + weightDecay);
            }
            if (momentum < 0 || momentum >= 1) {
                throw new IllegalArgumentException("optimizer.momentum must be in [0, 1), got " + momentum);
            }
        }

        /**
         * The learning-rate factor for parameter averaging over {@code workers}: averaging their
         * updates takes one step per round of {@code workers} minibatches, as a batch that many
         * times larger would, so the rate grows with sqrt(workers) or workers.
         */
        public double lrFactor(int workers) {
            return switch (lrScaling) {
                case "sqrt" -> Math.sqrt(workers);
                case "linear" -> workers;
                default -> 1.0;
            };
        }

        public Optimizer withLr(double newLr) {
            return new Optimizer(name, newLr, weightDecay, momentum, schedule, warmupEpochs, stepEpochs, stepGamma,
                    lrScaling);
        }

        /** The schedule over {@code epochs} epochs (validated here). */
        public EpochLrSchedule scheduleOver(int epochs) {
            return new EpochLrSchedule(schedule, lr, epochs, warmupEpochs, stepEpochs, stepGamma);
        }
    }

    /** Stop when the validation metric (mIoU or top-1) has not improved by min-delta for patience epochs; 0 = off. */
    public record EarlyStopping(int patience, double minDelta) implements Serializable {
        public EarlyStopping {
            if (patience < 0 || minDelta < 0) {
                throw new IllegalArgumentException("early-stopping.patience and min-delta must be >= 0");
            }
        }
    }

    public TrainConfig {
        if (!task.equals(AUTO) && !task.equals("classification") && !task.equals("segmentation")) {
            throw new IllegalArgumentException("task must be auto, classification or segmentation, got \"" + task + "\"");
        }
        if (!device.equals(AUTO) && !device.equals("cpu") && !device.equals("cuda")) {
            throw new IllegalArgumentException("device must be auto, cpu or cuda, got \"" + device + "\"");
        }
        if (classes < 0) {
            throw new IllegalArgumentException("classes must be >= 0 (0 = the shard set's), got " + classes);
        }
        if (evalTrainExamples < 0) {
            throw new IllegalArgumentException("eval.train-examples must be >= 0, got " + evalTrainExamples);
        }
        if (bnRecomputeExamples < 0) {
            throw new IllegalArgumentException("eval.bn-recompute-examples must be >= 0, got " + bnRecomputeExamples);
        }
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
        Config o = c.getConfig("model-options");
        ModelOptions options = new ModelOptions(
                o.getIsNull("output-stride") ? null : o.getInt("output-stride"),
                o.getIsNull("padding") ? null : o.getString("padding"),
                o.getIsNull("head") ? null : o.getString("head"),
                o.getIsNull("freeze-encoder") ? null : o.getBoolean("freeze-encoder"),
                o.getIsNull("pretrained") ? null : o.getString("pretrained"),
                !o.hasPath("architecture") ? null
                        : o.getValue("architecture").valueType() == com.typesafe.config.ConfigValueType.OBJECT
                        ? o.getValue("architecture").render(com.typesafe.config.ConfigRenderOptions.concise())
                        : o.getString("architecture"),
                o.hasPath("init-from") ? o.getString("init-from") : null);
        return new TrainConfig(c.getString("model"), c.getString("task"), required(c, "data"),
                c.getIsNull("val-data") ? null : c.getString("val-data"), required(c, "out"), c.getInt("classes"),
                c.getInt("epochs"), c.getInt("batch"), Mode.parse(c.getString("mode")), c.getInt("workers"),
                c.getInt("threads-per-task"), c.getInt("averaging-frequency"), c.getInt("prefetch"),
                c.getBoolean("augment.horizontal-flip"), c.getLong("seed"),
                c.getDouble("width-multiplier"), options, Normalization.parse(c.getString("normalization")),
                new Optimizer(c.getString("optimizer.name"), c.getDouble("optimizer.lr"),
                        c.getDouble("optimizer.weight-decay"), c.getDouble("optimizer.momentum"),
                        c.getString("optimizer.schedule"), c.getInt("optimizer.warmup-epochs"),
                        c.getInt("optimizer.step-epochs"), c.getDouble("optimizer.step-gamma"),
                        c.getString("optimizer.lr-scaling")),
                c.getInt("eval.batch"), c.getInt("eval.train-examples"),
                c.getInt("eval.bn-recompute-examples"), c.getInt("report.samples"),
                c.getInt("checkpoint.keep"), c.getString("device"),
                new GradientSharing(c.getString("gradient-sharing.exchange"), combineIsMean(c.getString("gradient-sharing.combine")),
                        precisionIsBfloat16(c.getString("gradient-sharing.precision")), c.getDouble("gradient-sharing.threshold"), c.getBoolean("gradient-sharing.adaptive"),
                        c.getInt("gradient-sharing.port"), c.getInt("gradient-sharing.residual-clip")),
                new EarlyStopping(c.getInt("early-stopping.patience"), c.getDouble("early-stopping.min-delta")),
                ClassWeights.parse(c, "class-weights"));
    }

    static String required(Config c, String key) {
        if (!c.hasPath(key) || c.getString(key).isBlank()) {
            throw new IllegalArgumentException("missing setting train." + key);
        }
        return c.getString(key);
    }

    private static boolean precisionIsBfloat16(String precision) {
        return switch (precision) {
            case "float32" -> false;
            case "bfloat16" -> true;
            default -> throw new IllegalArgumentException("gradient-sharing.precision must be float32 or bfloat16, got \""
                    + precision + "\"");
        };
    }

    private static boolean combineIsMean(String combine) {
        return switch (combine) {
            case "sum" -> false;
            case "mean" -> true;
            default -> throw new IllegalArgumentException("gradient-sharing.combine must be sum or mean, got \"" + combine + "\"");
        };
    }
}
