package org.segspark.jobs.train;

import com.typesafe.config.Config;
import org.segspark.core.Task;
import org.segspark.core.config.Choice;
import org.segspark.core.config.Setting;
import org.segspark.core.config.SettingsSection;
import org.segspark.core.io.OutputFolder;
import org.segspark.jobs.data.Augmentation;
import org.segspark.jobs.data.Normalization;
import org.segspark.jobs.run.Retention;
import org.segspark.jobs.train.sharing.GradientSharing;

import java.util.List;

/**
 * Settings of {@code segspark train}, HOCON section {@code train}: each declared once below
 * (key, type, meaning, rule, option); defaults in {@code conf/train.conf}.
 */
public final class TrainConfig {
    public static final Setting<String> MODEL = Setting.text("model", "A registry model (segspark models lists them).")
            .option("--model", "NAME", "Registry model (segspark models lists them)");
    public static final Setting<TaskChoice> TASK = Setting.choice("task", TaskChoice.class,
                    "auto (the model's), classification or segmentation: a check that model and shards agree.")
            .option("--task", "TASK", "classification or segmentation: checked against the model and the shards");
    public static final Setting<String> DATA = Setting.requiredText("data", "Shard set written by segspark preprocess.")
            .option("--data", "SHARDS", "Shard set from segspark preprocess");
    public static final Setting<String> VAL_DATA = Setting.optionalText("val-data",
                    "Shard set whose val split validates (null: the val split of data); same tensor size and classes.")
            .option("--val-data", "SHARDS", "Validate on this shard set's val split instead");
    public static final Setting<String> OUT = Setting.requiredText("out",
            "Run folder: model, metrics, checkpoints, report.").option("--out", "RUN", "Run folder");
    public static final Setting<Boolean> FORCE = OutputFolder.FORCE;
    public static final Setting<Integer> CLASSES = Setting.integer("classes",
                    "Output classes; 0 = the shard set's. More than the data has is allowed (unused outputs), fewer is not.")
            .check(v -> v >= 0, "must be >= 0 (0 = the shard set's)")
            .option("--classes", "K", "Output classes (default: the shard set's)");
    public static final Setting<Integer> EPOCHS = Setting.integer("epochs", "Passes over the training split.")
            .atLeast(1).option("--epochs", "E", "Epochs");
    public static final Setting<Integer> BATCH = Setting.integer("batch", "Minibatch size per worker.")
            .atLeast(1).option("--batch", "B", "Examples per step on each worker (one forward pass)");
    public static final Setting<Mode> MODE = Setting.choice("mode", Mode.class,
                    "parameter-averaging: DL4J's ParameterAveragingTrainingMaster on the Spark executors; "
                            + "gradient-sharing: every minibatch's update reaches every worker (gradient-sharing.*); "
                            + "local: the same data path and loop in this process, no Spark training master.")
            .option("--mode", "MODE", "parameter-averaging, gradient-sharing or local");
    public static final Setting<GradientSharing.Exchange> SHARING_EXCHANGE = Setting.choice("gradient-sharing.exchange",
            GradientSharing.Exchange.class,
            "sync: segspark's exchange. The workers run as one Spark barrier stage; at every step they sum their "
                    + "updates (a ring all-reduce over TCP) and each applies the sum, so all workers hold the same "
                    + "parameters at every step. dl4j: DL4J's SharedTrainingMaster, asynchronous threshold-encoded "
                    + "updates over Aeron UDP (threshold, adaptive, port and residual-clip are its settings).");
    public static final Setting<GradientSharing.Combine> SHARING_COMBINE = Setting.choice("gradient-sharing.combine",
            GradientSharing.Combine.class,
            "sync: apply the sum of the workers' updates (each worker's minibatch is a step, as in local training; "
                    + "no learning-rate scaling) or their mean (one step of an N-times larger batch).");
    public static final Setting<GradientSharing.Precision> SHARING_PRECISION = Setting.choice(
            "gradient-sharing.precision", GradientSharing.Precision.class,
            "sync: how update values travel: float32, or bfloat16 (half the bytes; each worker keeps what rounding "
                    + "takes off a value it sends and adds it to its next update, so nothing is lost); it pays off on "
                    + "links slower than about 10 Gb/s (docs/BENCHMARKS.md).");
    public static final Setting<Double> SHARING_THRESHOLD = Setting.number("gradient-sharing.threshold",
            "dl4j: update elements of at least this magnitude are sent each step; the rest accumulate until they are.")
            .check(v -> v > 0, "must be > 0");
    public static final Setting<Boolean> SHARING_ADAPTIVE = Setting.flag("gradient-sharing.adaptive",
            "dl4j: adapt the threshold to keep each message's sparsity in DL4J's target band (false: fixed).");
    public static final Setting<Integer> SHARING_PORT = Setting.integer("gradient-sharing.port",
            "dl4j: the driver's UDP port for the update mesh; workers take a free port each.")
            .check(v -> v >= 1024 && v <= 65535, "must be 1024..65535");
    public static final Setting<Integer> SHARING_RESIDUAL_CLIP = Setting.integer("gradient-sharing.residual-clip",
            "dl4j: clip the accumulated residual at this many thresholds (0 = DL4J's default, 5).").atLeast(0);
    public static final Setting<Integer> WORKERS = Setting.integer("workers",
                    "Workers (parallel training tasks); 0 = Spark's default parallelism.")
            .check(v -> v >= 0, "must be >= 0 (0 = Spark's default parallelism)")
            .option("--workers", "N", "Parallel training tasks (0 = Spark's default parallelism)");
    public static final Setting<Integer> THREADS_PER_TASK = Setting.integer("threads-per-task",
                    "Threads each training task's ops may use; 0 = spark.task.cpus (Spark runs one task per that many cores).")
            .check(v -> v >= 0, "must be >= 0 (0 = spark.task.cpus)");
    public static final Setting<Integer> AVERAGING_FREQUENCY = Setting.integer("averaging-frequency",
            "Minibatches each worker fits between two parameter averagings. Each averaging costs about 2 s on two "
                    + "local workers (results of 78 MB: parameters and Adam state); 10 keeps that under 10%.").atLeast(1);
    public static final Setting<Integer> PREFETCH = Setting.integer("prefetch",
            "Minibatches each worker loads ahead of training.").atLeast(0);
    public static final Setting<Integer> ROW_CACHE_MB = Setting.integer("row-cache-mb",
            "Decoded shard rows each training JVM (every executor; the driver in local mode) keeps between epochs, "
                    + "least recently used out first, in MB of heap; at most a quarter of the heap. Reading a minibatch "
                    + "of 64x64 Fashion-MNIST from the shard files took 7-16 ms alone and 22-36 ms beside training; "
                    + "from memory 0.1-0.2 ms (docs/BENCHMARKS.md). 0: read every time.")
            .atLeast(0);
    public static final Setting<Boolean> FLIP = Setting.flag("augment.horizontal-flip",
            "Mirror each training example left-right with probability 1/2 (image and label map alike); seeded by the "
                    + "epoch and the example, so runs repeat. Validation is never augmented.");
    public static final Setting<Integer> SHIFT = Setting.integer("augment.shift",
            "Move each training example by a whole number of pixels drawn from [-shift, shift] on each axis (image "
                    + "and label map alike; the uncovered border is black, its labels ignored); seeded like the flips. "
                    + "0 = off. A regulariser: on Fashion-MNIST it slowed 15 epochs' learning more than it curbed "
                    + "overfitting at 32x32, and kept a 64x64 network from overfitting (docs/BENCHMARKS.md).").atLeast(0);
    public static final Setting<Long> SEED = Setting.longInteger("seed", "Seed of initialisation, shuffles, flips and shifts.");
    public static final Setting<Double> WIDTH_MULTIPLIER = Setting.number("width-multiplier",
                    "MobileNet width multiplier (alpha). The input size (and so MobileNet's resolution multiplier) is "
                            + "the shards'.")
            .positive().option("--width-multiplier", "ALPHA", "MobileNet width multiplier");
    public static final Setting<Integer> OUTPUT_STRIDE = Setting.optionalInteger("model-options.output-stride",
            "DeepLabV3+: 16 or 8; null keeps the model's default.").check(v -> v == 8 || v == 16, "must be 8 or 16");
    public static final Setting<Padding> PADDING = Setting.optionalChoice("model-options.padding", Padding.class,
            "U-Net: same, or valid (the paper's; labels are centre-cropped to the smaller output).");
    public static final Setting<Head> HEAD = Setting.optionalChoice("model-options.head", Head.class,
            "unet-vgg16: sigmoid (binary: class 1 is foreground) or softmax.");
    public static final Setting<Boolean> FREEZE_ENCODER = Setting.optionalFlag("model-options.freeze-encoder",
                    "Keep the encoder's parameters fixed (unet-vgg16 freezes it by default, as design C does).")
            .option("--freeze-encoder", "BOOL", "Keep the encoder fixed (true/false; default: the model's)");
    public static final Setting<String> PRETRAINED = Setting.optionalText("model-options.pretrained",
                    "Keras Applications \"notop\" weights (.h5, any Hadoop URI) for a VGG16 or MobileNetV2 encoder.")
            .option("--pretrained", "H5", "Keras Applications notop weights for the encoder");
    public static final Setting<String> FEATURE_CACHE = Setting.optionalText("feature-cache",
                    "Folder (any Hadoop URI) for the frozen encoder's outputs: computed once per training image (and its "
                            + "mirror image under flips), then the decoder trains alone from them; exact, and reused by "
                            + "later runs with the same encoder and shards. Needs a frozen encoder; the encoder's batch "
                            + "norms are fixed. null: the whole network runs every step.")
            .option("--feature-cache", "DIR", "Train the decoder alone on the frozen encoder's outputs, cached in DIR");
    public static final Setting<String> ARCHITECTURE = Setting.objectOrText("model-options.architecture",
            "nas-unet / nas-classifier: search settings { base-channels, growth, channels, steps, min-depth, max-depth, "
                    + "variant = gate|norm, k, target, f = mse|l1|linear, measure = pruned|relaxed, mode = search|plain, arch-lr } (docs/NAS.md), "
                    + "or the path of a pruned run's architecture.json.");
    public static final Setting<String> INIT_FROM = Setting.optionalText("model-options.init-from",
            "Start from a saved network's weights, matched by layer name: a run folder (its model.zip) or a .zip. "
                    + "A pruned run's weights fine-tune its plain network or seed a new search of it.");
    public static final Setting<Device> DEVICE = Setting.choice("device", Device.class,
                    "cpu or cuda: the ND4J backend the job must run on (cuda needs the jar built with -Pcuda); auto "
                            + "takes what is there.")
            .option("--device", "DEV", "cpu or cuda: the ND4J backend the run must use");
    public static final Setting<Normalization> NORMALIZATION = Setting.choice("normalization", Normalization.class,
            "Input normalisation: dataset (the manifest's per-channel mean/std) or image (each image's own mean/std).");
    public static final Setting<OptimizerName> OPTIMIZER = Setting.choice("optimizer.name", OptimizerName.class,
            "adam, adamw (Adam with decoupled weight decay) or sgd (Nesterov momentum).");
    public static final Setting<Double> LR = Setting.number("optimizer.lr", "Learning rate.")
            .positive().option("--lr", "LR", "Learning rate");
    public static final Setting<Double> WEIGHT_DECAY = Setting.number("optimizer.weight-decay",
            "adam and sgd: L2 coefficient; adamw: decoupled decay, w -= lr * weight-decay * w each step (0 = off).")
            .atLeast(0);
    public static final Setting<Double> MOMENTUM = Setting.number("optimizer.momentum", "sgd's momentum.")
            .check(v -> v >= 0 && v < 1, "must be in [0, 1)");
    public static final Setting<LrScaling> LR_SCALING = Setting.choice("optimizer.lr-scaling", LrScaling.class,
            "Parameter averaging over N workers: lr x sqrt(N) (sqrt), x N (linear) or unchanged (none). Averaging N "
                    + "workers' moves takes one step where N minibatches were seen, as a batch N times larger would; "
                    + "without scaling, parameter averaging ends behind local training at equal epochs "
                    + "(docs/DISTRIBUTED.md). Local and gradient-sharing runs ignore it.");
    public static final Setting<Schedule> SCHEDULE = Setting.choice("optimizer.schedule", Schedule.class,
            "Learning rate by epoch: constant, step (times step-gamma every step-epochs) or cosine (lr down to 0 at the "
                    + "last epoch), after warmup-epochs of linear warm-up (lr/(W+1), 2lr/(W+1), ...). Every mode follows "
                    + "it except gradient sharing with exchange = dl4j (its workers keep the first epoch's configuration).");
    public static final Setting<Integer> WARMUP_EPOCHS = Setting.integer("optimizer.warmup-epochs",
            "Epochs of linear warm-up before the schedule.").atLeast(0);
    public static final Setting<Integer> STEP_EPOCHS = Setting.integer("optimizer.step-epochs",
            "step schedule: epochs between two decays.");
    public static final Setting<Double> STEP_GAMMA = Setting.number("optimizer.step-gamma",
            "step schedule: the factor of each decay.");
    public static final Setting<ClassWeights> CLASS_WEIGHTS = Setting.custom("class-weights",
            "none, balanced or list of numbers", ClassWeights::parse,
            "Loss weight per class: none, balanced (from the training split's class pixel / example counts: total / "
                    + "(present classes x count), so rare classes weigh more) or a list, one value per class, e.g. "
                    + "[0.5, 2, 2, 4]. Reported losses are the weighted ones. Needs a softmax head.");
    public static final Setting<Integer> PATIENCE = Setting.integer("early-stopping.patience",
            "Stop after this many epochs without a validation mIoU (top-1) gain of at least min-delta; 0 = off. The "
                    + "best epoch's network is kept as checkpoints/best.zip either way.").atLeast(0);
    public static final Setting<Double> MIN_DELTA = Setting.number("early-stopping.min-delta",
            "The validation gain that counts as one.").atLeast(0);
    public static final Setting<Integer> EVAL_BATCH = Setting.integer("eval.batch", "Validation minibatch size.")
            .atLeast(1);
    public static final Setting<Integer> EVAL_TRAIN_EXAMPLES = Setting.integer("eval.train-examples",
            "Training examples re-evaluated after each epoch for train top-1 / train mIoU (0 = off).").atLeast(0);
    public static final Setting<Integer> BN_RECOMPUTE_EXAMPLES = Setting.integer("eval.bn-recompute-examples",
            "Before each evaluation, batch-norm running statistics are re-estimated from this many training examples "
                    + "with the current weights (forward passes in training mode; 0 = keep the running averages). "
                    + "Averaged weights and fast-moving early epochs leave the running averages behind.").atLeast(0);
    public static final Setting<Integer> REPORT_SAMPLES = Setting.integer("report.samples",
            "Validation images shown with their predictions in report.html.").atLeast(0);
    public static final Setting<Integer> KEEP_CHECKPOINTS = Setting.integer("keep-checkpoints",
                    "Epoch checkpoints kept, the newest ones, each with the updater's state so that --resume can continue "
                            + "from it; the best epoch's network is kept apart as checkpoints/best.zip.").atLeast(1)
            .option("--keep-checkpoints", "N", "Epoch checkpoints to keep, newest first (best.zip is kept apart)");
    public static final Setting<Boolean> SAVE_UPDATER = Setting.flag("save-updater",
                    "Write model.zip and best.zip with the updater's state too (Adam's moments: the file grows about "
                            + "threefold); training continues from the epoch checkpoints, which always have it.")
            .option("--save-updater", null, "Keep the updater's state in model.zip and best.zip");

    public static final SettingsSection SECTION = new SettingsSection("train", List.of(MODEL, TASK, DATA, VAL_DATA,
            OUT, FORCE, CLASSES, EPOCHS, BATCH, MODE, SHARING_EXCHANGE, SHARING_COMBINE, SHARING_PRECISION,
            SHARING_THRESHOLD, SHARING_ADAPTIVE, SHARING_PORT, SHARING_RESIDUAL_CLIP, WORKERS, THREADS_PER_TASK,
            AVERAGING_FREQUENCY, PREFETCH, ROW_CACHE_MB, FLIP, SHIFT, SEED, WIDTH_MULTIPLIER, OUTPUT_STRIDE, PADDING, HEAD, FREEZE_ENCODER,
            PRETRAINED, ARCHITECTURE, INIT_FROM, FEATURE_CACHE, DEVICE, NORMALIZATION, OPTIMIZER, LR, WEIGHT_DECAY, MOMENTUM,
            LR_SCALING, SCHEDULE, WARMUP_EPOCHS, STEP_EPOCHS, STEP_GAMMA, CLASS_WEIGHTS, PATIENCE, MIN_DELTA,
            EVAL_BATCH, EVAL_TRAIN_EXAMPLES, BN_RECOMPUTE_EXAMPLES, REPORT_SAMPLES, KEEP_CHECKPOINTS, SAVE_UPDATER));

    /** How training is distributed. */
    /** U-Net's convolutions. */
    public enum Padding implements Choice {
        SAME, VALID
    }

    /** unet-vgg16's head. */
    public enum Head implements Choice {
        SIGMOID, SOFTMAX
    }

    public enum Mode implements Choice {
        PARAMETER_AVERAGING, GRADIENT_SHARING, LOCAL
    }

    /** The task setting: auto takes the model's. */
    public enum TaskChoice implements Choice {
        AUTO, CLASSIFICATION, SEGMENTATION
    }

    /** The ND4J backend a run must use; auto takes what is there. */
    public enum Device implements Choice {
        AUTO, CPU, CUDA
    }

    public enum OptimizerName implements Choice {
        ADAM, ADAMW, SGD
    }

    /** The learning rate's scaling for parameter averaging over N workers. */
    public enum LrScaling implements Choice {
        NONE, SQRT, LINEAR
    }

    /** The learning rate's schedule over the epochs (after the warm-up). */
    public enum Schedule implements Choice {
        CONSTANT, STEP, COSINE
    }

    private final SettingsSection.Values values;

    private TrainConfig(SettingsSection.Values values) {
        this.values = values;
    }

    /** The section's settings, validated. */
    public static TrainConfig from(Config section) {
        return new TrainConfig(SECTION.read(section));
    }

    public <T> T get(Setting<T> setting) {
        return values.get(setting);
    }

    public String model() {
        return get(MODEL);
    }

    /** The task asked for, or null: the model's. */
    public Task task() {
        return switch (get(TASK)) {
            case AUTO -> null;
            case CLASSIFICATION -> Task.CLASSIFICATION;
            case SEGMENTATION -> Task.SEGMENTATION;
        };
    }

    public String data() {
        return get(DATA);
    }

    public String featureCache() {
        return get(FEATURE_CACHE);
    }

    public String valData() {
        return get(VAL_DATA);
    }

    public String out() {
        return get(OUT);
    }

    public int classes() {
        return get(CLASSES);
    }

    public int epochs() {
        return get(EPOCHS);
    }

    public int batch() {
        return get(BATCH);
    }

    public Mode mode() {
        return get(MODE);
    }

    public int workers() {
        return get(WORKERS);
    }

    public int threadsPerTask() {
        return get(THREADS_PER_TASK);
    }

    public int averagingFrequency() {
        return get(AVERAGING_FREQUENCY);
    }

    public int prefetch() {
        return get(PREFETCH);
    }

    /** The row-group cache's budget in bytes. */
    public long rowCacheBytes() {
        return get(ROW_CACHE_MB) * (1L << 20);
    }

    public boolean flip() {
        return get(FLIP);
    }

    /** How training examples vary: the augment settings. */
    public Augmentation augmentation() {
        return new Augmentation(flip(), get(SHIFT));
    }

    public long seed() {
        return get(SEED);
    }

    public double widthMultiplier() {
        return get(WIDTH_MULTIPLIER);
    }

    public Device device() {
        return get(DEVICE);
    }

    public Normalization normalization() {
        return get(NORMALIZATION);
    }

    public int evalBatch() {
        return get(EVAL_BATCH);
    }

    public int evalTrainExamples() {
        return get(EVAL_TRAIN_EXAMPLES);
    }

    public int bnRecomputeExamples() {
        return get(BN_RECOMPUTE_EXAMPLES);
    }

    public int reportSamples() {
        return get(REPORT_SAMPLES);
    }

    public Retention retention() {
        return new Retention(get(KEEP_CHECKPOINTS), get(SAVE_UPDATER));
    }

    public ClassWeights classWeights() {
        return get(CLASS_WEIGHTS);
    }

    public int patience() {
        return get(PATIENCE);
    }

    public double minDelta() {
        return get(MIN_DELTA);
    }

    public GradientSharing gradientSharing() {
        return new GradientSharing(get(SHARING_EXCHANGE), get(SHARING_COMBINE) == GradientSharing.Combine.MEAN,
                get(SHARING_PRECISION) == GradientSharing.Precision.BFLOAT16, get(SHARING_THRESHOLD),
                get(SHARING_ADAPTIVE), get(SHARING_PORT), get(SHARING_RESIDUAL_CLIP));
    }

    /** Gradient sharing through DL4J's SharedTrainingMaster rather than segspark's exchange. */
    public boolean dl4jSharing() {
        return mode() == Mode.GRADIENT_SHARING && get(SHARING_EXCHANGE) == GradientSharing.Exchange.DL4J;
    }

    public Optimizer optimizer() {
        return new Optimizer(get(OPTIMIZER), get(LR), get(WEIGHT_DECAY), get(MOMENTUM), get(SCHEDULE),
                get(WARMUP_EPOCHS), get(STEP_EPOCHS), get(STEP_GAMMA), get(LR_SCALING));
    }

    /** The updater, its regularisation and learning-rate schedule (see the settings of the same names). */
    public record Optimizer(OptimizerName name, double lr, double weightDecay, double momentum, Schedule schedule,
                            int warmupEpochs, int stepEpochs, double stepGamma, LrScaling lrScaling) {

        /**
         * The learning-rate factor for parameter averaging over {@code workers}: averaging their
         * updates takes one step per round of {@code workers} minibatches, as a batch that many
         * times larger would, so the rate grows with sqrt(workers) or workers.
         */
        public double lrFactor(int workers) {
            return switch (lrScaling) {
                case SQRT -> Math.sqrt(workers);
                case LINEAR -> workers;
                case NONE -> 1.0;
            };
        }

        public Optimizer withLr(double newLr) {
            return new Optimizer(name, newLr, weightDecay, momentum, schedule, warmupEpochs, stepEpochs, stepGamma,
                    lrScaling);
        }

        /** The schedule over {@code epochs} epochs (validated here). */
        public EpochLrSchedule scheduleOver(int epochs) {
            return new EpochLrSchedule(schedule.id(), lr, epochs, warmupEpochs, stepEpochs, stepGamma);
        }
    }
}
