package org.segspark.jobs.ml;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import com.typesafe.config.ConfigValueFactory;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.Path;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.ml.Estimator;
import org.apache.spark.ml.param.BooleanParam;
import org.apache.spark.ml.param.DoubleParam;
import org.apache.spark.ml.param.IntParam;
import org.apache.spark.ml.param.LongParam;
import org.apache.spark.ml.param.Param;
import org.apache.spark.ml.param.ParamMap;
import org.apache.spark.ml.param.StringArrayParam;
import org.apache.spark.ml.util.DefaultParamsReader;
import org.apache.spark.ml.util.DefaultParamsWriter;
import org.apache.spark.ml.util.Identifiable$;
import org.apache.spark.ml.util.MLReader;
import org.apache.spark.ml.util.MLWritable;
import org.apache.spark.ml.util.MLWriter;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.functions;
import org.apache.spark.sql.types.StructType;
import org.segspark.core.Task;
import org.segspark.core.config.SettingsSection;
import org.segspark.core.io.HadoopFiles;
import org.segspark.core.json.Json;
import org.segspark.jobs.config.JobConfig;
import org.segspark.jobs.spark.Sparks;
import org.segspark.jobs.train.TrainConfig;
import org.segspark.jobs.train.TrainJob;
import org.segspark.models.registry.ModelRegistry;
import org.segspark.preprocess.frame.FrameShardJob;
import org.segspark.preprocess.frame.ImageCell;
import org.segspark.preprocess.job.ShardJob;
import org.segspark.preprocess.job.ShardSettings;
import org.segspark.preprocess.pairs.PairedFolderSettings;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/**
 * {@code segspark train} as a Spark ML Estimator. {@link #fit} writes the DataFrame's images with
 * their masks (segmentation) or labels (classification) as a shard set under {@code workDir/shards},
 * trains on the DataFrame's SparkSession exactly as {@code segspark train} does (parameter averaging,
 * gradient sharing or local) into the run folder {@code workDir/run}, removes the shard set (unless
 * {@code keepShards}) and returns the run as a {@link SegsparkModel}, its epochs in
 * {@link SegsparkModel#history()}.
 *
 * <p>The training and tensor Params are segspark's settings (same meaning, rules and defaults as
 * {@code conf/train.conf} and {@code conf/preprocess-folders.conf}); every train setting not
 * exposed here keeps its default.
 */
public final class SegsparkEstimator extends Estimator<SegsparkModel> implements MLWritable {
    private static final long serialVersionUID = 1L;
    private final String uid;
    private final SettingParams settings;

    private final Param<String> inputCol;
    private final Param<String> keyCol;
    private final Param<String> labelCol;
    private final Param<String> maskCol;
    private final StringArrayParam classes;
    private final Param<String> workDir;
    private final BooleanParam keepShards;

    private final IntParam height;
    private final IntParam width;
    private final Param<String> aspect;
    private final DoubleParam valFraction;
    private final LongParam splitSeed;

    private final Param<String> model;
    private final Param<String> mode;
    private final IntParam workers;
    private final IntParam epochs;
    private final IntParam batch;
    private final Param<String> optimizer;
    private final DoubleParam lr;
    private final DoubleParam weightDecay;
    private final Param<String> schedule;
    private final IntParam warmupEpochs;
    private final IntParam averagingFrequency;
    private final BooleanParam horizontalFlip;
    private final IntParam shift;
    private final LongParam seed;
    private final DoubleParam widthMultiplier;
    private final Param<String> normalization;

    public SegsparkEstimator(String uid) {
        this.uid = uid;
        inputCol = new Param<>(this, "inputCol", "Images: a binary column of file bytes (binaryFile's content) or the "
                + "struct of Spark's image source.");
        keyCol = new Param<>(this, "keyCol", "A column naming each row uniquely (binaryFile's path); it decides the "
                + "train/val split. Without it, the image source's origin.");
        labelCol = new Param<>(this, "labelCol", "Classification: the class index of each image (numeric).");
        maskCol = new Param<>(this, "maskCol", "Segmentation: each image's mask, an 8-bit PNG of class indices at the "
                + "image's size (255 = ignore), as binary.");
        classes = new StringArrayParam(this, "classes", "Class names in index order. Classification: empty takes the "
                + "largest label + 1 classes named class_0, class_1, ...; segmentation needs them.");
        workDir = new Param<>(this, "workDir", "Folder for the shard set (removed after fit unless keepShards) and the "
                + "run (kept: the model is its files). Every executor must reach it (hdfs://, s3a://, a shared mount); "
                + "unset: a new folder under java.io.tmpdir, allowed on a local master only.");
        keepShards = new BooleanParam(this, "keepShards", "Keep workDir/shards after fit.");

        settings = new SettingParams(this);
        SettingsSection pre = PairedFolderSettings.SECTION;
        height = settings.integer("height", pre, ShardSettings.HEIGHT);
        width = settings.integer("width", pre, ShardSettings.WIDTH);
        aspect = settings.choice("aspect", pre, ShardSettings.ASPECT);
        valFraction = settings.number("valFraction", pre, PairedFolderSettings.VAL_FRACTION);
        splitSeed = settings.longInteger("splitSeed", pre, ShardSettings.SPLIT_SEED);

        SettingsSection train = TrainConfig.SECTION;
        model = settings.text("model", train, TrainConfig.MODEL);
        mode = settings.choice("mode", train, TrainConfig.MODE);
        workers = settings.integer("workers", train, TrainConfig.WORKERS);
        epochs = settings.integer("epochs", train, TrainConfig.EPOCHS);
        batch = settings.integer("batch", train, TrainConfig.BATCH);
        optimizer = settings.choice("optimizer", train, TrainConfig.OPTIMIZER);
        lr = settings.number("lr", train, TrainConfig.LR);
        weightDecay = settings.number("weightDecay", train, TrainConfig.WEIGHT_DECAY);
        schedule = settings.choice("schedule", train, TrainConfig.SCHEDULE);
        warmupEpochs = settings.integer("warmupEpochs", train, TrainConfig.WARMUP_EPOCHS);
        averagingFrequency = settings.integer("averagingFrequency", train, TrainConfig.AVERAGING_FREQUENCY);
        horizontalFlip = settings.flag("horizontalFlip", train, TrainConfig.FLIP);
        shift = settings.integer("shift", train, TrainConfig.SHIFT);
        seed = settings.longInteger("seed", train, TrainConfig.SEED);
        widthMultiplier = settings.number("widthMultiplier", train, TrainConfig.WIDTH_MULTIPLIER);
        normalization = settings.choice("normalization", train, TrainConfig.NORMALIZATION);
        settings.setDefaults(this::setDefault);
        setDefault(inputCol, "content");
        setDefault(keyCol, "path");
        setDefault(labelCol, "label");
        setDefault(maskCol, "mask");
        setDefault(classes, new String[0]);
        setDefault(keepShards, false);
    }

    public SegsparkEstimator() {
        this(Identifiable$.MODULE$.randomUID("segsparkEstimator"));
    }

    @Override
    public String uid() {
        return uid;
    }

    // Params, for Spark ML's reflection (Params.params lists public no-argument methods returning a Param)

    public Param<String> inputCol() { return inputCol; }
    public Param<String> keyCol() { return keyCol; }
    public Param<String> labelCol() { return labelCol; }
    public Param<String> maskCol() { return maskCol; }
    public StringArrayParam classes() { return classes; }
    public Param<String> workDir() { return workDir; }
    public BooleanParam keepShards() { return keepShards; }
    public IntParam height() { return height; }
    public IntParam width() { return width; }
    public Param<String> aspect() { return aspect; }
    public DoubleParam valFraction() { return valFraction; }
    public LongParam splitSeed() { return splitSeed; }
    public Param<String> model() { return model; }
    public Param<String> mode() { return mode; }
    public IntParam workers() { return workers; }
    public IntParam epochs() { return epochs; }
    public IntParam batch() { return batch; }
    public Param<String> optimizer() { return optimizer; }
    public DoubleParam lr() { return lr; }
    public DoubleParam weightDecay() { return weightDecay; }
    public Param<String> schedule() { return schedule; }
    public IntParam warmupEpochs() { return warmupEpochs; }
    public IntParam averagingFrequency() { return averagingFrequency; }
    public BooleanParam horizontalFlip() { return horizontalFlip; }
    public IntParam shift() { return shift; }
    public LongParam seed() { return seed; }
    public DoubleParam widthMultiplier() { return widthMultiplier; }
    public Param<String> normalization() { return normalization; }

    public SegsparkEstimator setInputCol(String v) { return with(inputCol, v); }
    public SegsparkEstimator setKeyCol(String v) { return with(keyCol, v); }
    public SegsparkEstimator setLabelCol(String v) { return with(labelCol, v); }
    public SegsparkEstimator setMaskCol(String v) { return with(maskCol, v); }
    public SegsparkEstimator setClasses(String... v) { return with(classes, v); }
    public SegsparkEstimator setWorkDir(String v) { return with(workDir, v); }
    public SegsparkEstimator setKeepShards(boolean v) { return with(keepShards, v); }
    public SegsparkEstimator setSize(int h, int w) { return with(height, h).with(width, w); }
    public SegsparkEstimator setAspect(String v) { return with(aspect, v); }
    public SegsparkEstimator setValFraction(double v) { return with(valFraction, v); }
    public SegsparkEstimator setModel(String v) { return with(model, v); }
    public SegsparkEstimator setMode(String v) { return with(mode, v); }
    public SegsparkEstimator setWorkers(int v) { return with(workers, v); }
    public SegsparkEstimator setEpochs(int v) { return with(epochs, v); }
    public SegsparkEstimator setBatch(int v) { return with(batch, v); }
    public SegsparkEstimator setOptimizer(String v) { return with(optimizer, v); }
    public SegsparkEstimator setLr(double v) { return with(lr, v); }
    public SegsparkEstimator setSchedule(String v) { return with(schedule, v); }
    public SegsparkEstimator setSeed(long v) { return with(seed, v); }

    @SuppressWarnings("unchecked")
    private <T> SegsparkEstimator with(Param<T> p, Object value) {
        set((Param<Object>) (Param<?>) p, value);
        return this;
    }

    private boolean segmentation() {
        return ModelRegistry.get(getOrDefault(model)).task() == Task.SEGMENTATION;
    }

    @Override
    public StructType transformSchema(StructType schema) {
        List<String> names = List.of(schema.fieldNames());
        String in = getOrDefault(inputCol);
        String target = segmentation() ? getOrDefault(maskCol) : getOrDefault(labelCol);
        for (String c : List.of(in, target)) {
            if (!names.contains(c)) {
                throw new IllegalArgumentException("no column " + c + " (columns: " + String.join(", ", names) + ")");
            }
        }
        ImageCell.checkType(in, schema.apply(in).dataType());
        return schema;
    }

    @Override
    public SegsparkModel fit(Dataset<?> dataset) {
        transformSchema(dataset.schema());
        // what segspark's own launcher gives its driver: oneDNN's helpers, the statistics' clock
        Sparks.driverProperties();
        JavaSparkContext jsc = JavaSparkContext.fromSparkContext(dataset.sparkSession().sparkContext());
        Configuration conf = jsc.hadoopConfiguration();
        boolean seg = segmentation();
        Path work = workFolder(jsc);
        Path shards = new Path(work, "shards");
        Path run = new Path(work, "run");
        try {
            List<String> names = classNames(dataset.toDF(), seg);
            Config shardConfig = shardSettings(shards);
            SettingsSection.Values v = PairedFolderSettings.SECTION.read(shardConfig);
            ShardJob.Result written = FrameShardJob.run(jsc, dataset.toDF(),
                    new FrameShardJob.Columns(getOrDefault(keyCol), getOrDefault(inputCol),
                            seg ? getOrDefault(maskCol) : getOrDefault(labelCol)),
                    new FrameShardJob.Target(seg, names, ShardSettings.options(v), v.get(ShardSettings.ASPECT),
                            v.get(PairedFolderSettings.VAL_FRACTION), v.get(ShardSettings.SPLIT_SEED),
                            v.get(ShardSettings.MAX_PIXELS)),
                    Json.tree(recorded(shardConfig).root().unwrapped()));
            System.out.println(uid + ": " + written.accounting() + " -> " + shards);
            JobConfig config = JobConfig.of("train").options(settings.values(this, TrainConfig.SECTION))
                    .option("train.data", shards.toString()).option("train.out", run.toString())
                    .option("train.force", true).load();
            TrainJob.run(jsc, config, System.out);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } finally {
            if (!(Boolean) getOrDefault(keepShards)) {
                removeShards(shards, conf);
            }
        }
        SegsparkModel fitted = new SegsparkModel(uid).setRunDir(run.toString()).setInputCol(getOrDefault(inputCol));
        fitted.setParent(this);
        return fitted;
    }

    /** The shard set was a step of fit: a failure to remove it is told, not fatal (the model is written). */
    private void removeShards(Path shards, Configuration conf) {
        try {
            HadoopFiles.fs(shards, conf).delete(shards, true);
        } catch (IOException e) {
            System.err.println(uid + ": could not remove " + shards + " (" + e.getMessage() + "); remove it by hand");
        }
    }

    /** The class names: given, or for classification class_0 .. class_(largest label). */
    private List<String> classNames(Dataset<Row> frame, boolean seg) {
        String[] given = getOrDefault(classes);
        if (given.length > 0) {
            return Arrays.asList(given);
        }
        if (seg) {
            throw new IllegalArgumentException(uid + ": set classes (the names of the mask values 0, 1, ...) to train "
                    + getOrDefault(model));
        }
        Row max = frame.agg(functions.max(functions.col(getOrDefault(labelCol)))).head();
        if (max.isNullAt(0)) {
            throw new IllegalArgumentException(uid + ": column " + getOrDefault(labelCol) + " holds no label");
        }
        int k = (int) Math.max(1, Math.floor(((Number) max.get(0)).doubleValue()) + 1);
        List<String> names = new ArrayList<>();
        for (int c = 0; c < k; c++) {
            names.add("class_" + c);
        }
        return names;
    }

    /**
     * The shard set's settings: the tensor Params over conf/preprocess-folders.conf. The manifest
     * records them; training takes from them how the model's inputs are to be fitted and decoded.
     */
    private Config shardSettings(Path out) {
        Config c = JobConfig.defaults(PairedFolderSettings.SECTION);
        for (Map.Entry<String, Object> e : settings.values(this, PairedFolderSettings.SECTION).entrySet()) {
            c = c.withValue(e.getKey().substring(PairedFolderSettings.SECTION.name().length() + 1),
                    ConfigValueFactory.fromAnyRef(e.getValue()));
        }
        // the folders source's own inputs are not used; the set is written afresh every fit
        return ConfigFactory.parseMap(Map.of("out", out.toString(), "images", "-", "masks", "-", "incremental", false,
                "force", true, "allow-shrink", true)).withFallback(c);
    }

    /** What the manifest records of them: the folders source's own inputs had no part in the set. */
    private static Config recorded(Config shardConfig) {
        Config c = shardConfig;
        for (String unused : List.of("images", "masks", "image-suffix", "mask-suffix", "mask-map", "classes",
                "class-names")) {
            c = c.withoutPath(unused);
        }
        return c;
    }

    private Path workFolder(JavaSparkContext jsc) {
        if (isDefined(workDir)) {
            return HadoopFiles.path(getOrDefault(workDir));
        }
        if (!jsc.master().startsWith("local")) {
            throw new IllegalArgumentException(uid + ": set workDir to a folder every executor reaches (hdfs://, "
                    + "s3a://, a shared mount) on master " + jsc.master());
        }
        try {
            return new Path(Files.createTempDirectory("segspark-ml-").toUri());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public SegsparkEstimator copy(ParamMap extra) {
        return copyValues(new SegsparkEstimator(uid), extra);
    }

    @Override
    public MLWriter write() {
        return new DefaultParamsWriter(this);
    }

    @Override
    public void save(String path) throws IOException {
        write().save(path);
    }

    public static MLReader<SegsparkEstimator> read() {
        return new DefaultParamsReader<>();
    }

    public static SegsparkEstimator load(String path) {
        return read().load(path);
    }
}
