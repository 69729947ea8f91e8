package org.segspark.jobs.ml;

import com.fasterxml.jackson.databind.JsonNode;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.FileUtil;
import org.apache.hadoop.fs.Path;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.ml.Model;
import org.apache.spark.ml.linalg.SQLDataTypes;
import org.apache.spark.ml.param.IntParam;
import org.apache.spark.ml.param.LongParam;
import org.apache.spark.ml.param.Param;
import org.apache.spark.ml.param.ParamMap;
import org.apache.spark.ml.util.DefaultParamsReader;
import org.apache.spark.ml.util.DefaultParamsReader$;
import org.apache.spark.ml.util.DefaultParamsWriter$;
import org.apache.spark.ml.util.Identifiable$;
import org.apache.spark.ml.util.MLReader;
import org.apache.spark.ml.util.MLWritable;
import org.apache.spark.ml.util.MLWriter;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;
import org.segspark.core.io.HadoopFiles;
import org.segspark.core.io.SerializableConf;
import org.segspark.jobs.predict.PredictJob;
import org.segspark.jobs.records.EpochMetrics;
import org.segspark.jobs.records.RunMetrics;
import org.segspark.jobs.run.ModelInput;
import org.segspark.jobs.run.RunDirectory;
import org.segspark.preprocess.frame.ImageCell;
import scala.Option;

import java.io.FileNotFoundException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;

/**
 * A trained segspark network as a Spark ML Transformer. {@link #transform} appends to every row of
 * images: for segmentation the label map (an 8-bit PNG at the image's own size, as {@code segspark
 * predict} writes it) and each class's share of the pixels; for classification the class index (a
 * double, as Spark ML's evaluators take it), its name and the probability vector. A row whose image
 * cannot be read gets nulls and the reason in the error column.
 *
 * <p>The network is the run folder's {@code model.zip} (a run of {@code segspark train}, of
 * {@link SegsparkEstimator}, or a pruned network); each executor loads it once per JVM. Saved with
 * {@link #write()}, the model copies the files it needs into the saved folder; {@link #load} reads a
 * saved model or a run folder.
 */
public final class SegsparkModel extends Model<SegsparkModel> implements MLWritable {
    private static final long serialVersionUID = 1L;
    /** Where a saved model keeps its run's files. */
    static final String RUN_FILES = "run";
    /** What a saved model needs of its run. */
    private static final List<String> KEPT = List.of(RunDirectory.MODEL, RunDirectory.MODEL_INFO, RunDirectory.METRICS);

    private final String uid;
    private final Param<String> runDir;
    private final Param<String> inputCol;
    private final Param<String> predictionCol;
    private final Param<String> probabilityCol;
    private final Param<String> classNameCol;
    private final Param<String> classSharesCol;
    private final Param<String> errorCol;
    private final IntParam batch;
    private final LongParam maxPixels;
    private final Param<String> engine;
    private transient ModelInput input;

    public SegsparkModel(String uid) {
        this.uid = uid;
        runDir = new Param<>(this, "runDir", "The run folder whose model.zip and model.json this model is (any Hadoop URI).");
        inputCol = new Param<>(this, "inputCol", "Images: a binary column of file bytes (binaryFile's content) or the "
                + "struct of Spark's image source.");
        predictionCol = new Param<>(this, "predictionCol", "Output: segmentation, the label map as an 8-bit PNG at the "
                + "image's size; classification, the class index (a double).");
        probabilityCol = new Param<>(this, "probabilityCol", "Output, classification: the probability of every class (a "
                + "vector).");
        classNameCol = new Param<>(this, "classNameCol", "Output, classification: the predicted class's name.");
        classSharesCol = new Param<>(this, "classSharesCol", "Output, segmentation: each class's share of the image's "
                + "pixels (array<double>, in class order).");
        errorCol = new Param<>(this, "errorCol", "Output: why a row's image could not be read (null when it could).");
        SettingParams settings = new SettingParams(this);
        batch = settings.integer("batch", PredictJob.SECTION, PredictJob.BATCH);
        maxPixels = settings.longInteger("maxPixels", PredictJob.SECTION, PredictJob.MAX_PIXELS);
        engine = settings.choice("engine", PredictJob.SECTION, PredictJob.ENGINE);
        settings.setDefaults(this::setDefault);
        setDefault(inputCol, "content");
        setDefault(predictionCol, "prediction");
        setDefault(probabilityCol, "probability");
        setDefault(classNameCol, "class_name");
        setDefault(classSharesCol, "class_shares");
        setDefault(errorCol, "error");
    }

    public SegsparkModel() {
        this(Identifiable$.MODULE$.randomUID("segspark"));
    }

    /** The model of a run folder written by {@code segspark train} (or a pruned run). */
    public static SegsparkModel fromRun(String run) {
        return new SegsparkModel().setRunDir(run);
    }

    @Override
    public String uid() {
        return uid;
    }

    public Param<String> runDir() {
        return runDir;
    }

    public Param<String> inputCol() {
        return inputCol;
    }

    public Param<String> predictionCol() {
        return predictionCol;
    }

    public Param<String> probabilityCol() {
        return probabilityCol;
    }

    public Param<String> classNameCol() {
        return classNameCol;
    }

    public Param<String> classSharesCol() {
        return classSharesCol;
    }

    public Param<String> errorCol() {
        return errorCol;
    }

    public IntParam batch() {
        return batch;
    }

    public LongParam maxPixels() {
        return maxPixels;
    }

    /** onnxruntime (the run's model.zip exported in memory, as predict serves a run without an export) or dl4j. */
    public Param<String> engine() {
        return engine;
    }

    public SegsparkModel setRunDir(String value) {
        input = null;
        return (SegsparkModel) set(runDir, value);
    }

    public SegsparkModel setInputCol(String value) {
        return (SegsparkModel) set(inputCol, value);
    }

    public SegsparkModel setPredictionCol(String value) {
        return (SegsparkModel) set(predictionCol, value);
    }

    public SegsparkModel setBatch(int value) {
        return (SegsparkModel) set(batch, value);
    }

    public SegsparkModel setEngine(String value) {
        return (SegsparkModel) set(engine, value);
    }

    public String getRunDir() {
        return getOrDefault(runDir);
    }

    /** The model's input and task, from the run's model.json (read on the driver, once). */
    public ModelInput modelInput() {
        if (input == null) {
            if (!isDefined(runDir)) {
                throw new IllegalArgumentException(uid + ": runDir is not set (a run folder of segspark train)");
            }
            try {
                Configuration conf = SparkSession.active().sparkContext().hadoopConfiguration();
                JsonNode info = RunDirectory.existing(getRunDir(), conf, "runDir").readTree(RunDirectory.MODEL_INFO);
                input = ModelInput.of(info, "auto", getRunDir());
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        return input;
    }

    /** The run's epochs: losses, accuracy or mIoU, times (empty for a run that kept no metrics). */
    public List<EpochMetrics> history() {
        try {
            RunDirectory dir = new RunDirectory(getRunDir(), SparkSession.active().sparkContext().hadoopConfiguration());
            return dir.exists(RunDirectory.METRICS) ? dir.readJson(RunDirectory.METRICS, RunMetrics.class).history()
                    : List.of();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public StructType transformSchema(StructType schema) {
        String in = getOrDefault(inputCol);
        if (!List.of(schema.fieldNames()).contains(in)) {
            throw new IllegalArgumentException("no image column " + in + " (columns: " + String.join(", ",
                    schema.fieldNames()) + "); set inputCol");
        }
        ImageCell.checkType(in, schema.apply(in).dataType());
        List<StructField> added = new ArrayList<>();
        if (modelInput().segmentation()) {
            added.add(DataTypes.createStructField(getOrDefault(predictionCol), DataTypes.BinaryType, true));
            added.add(DataTypes.createStructField(getOrDefault(classSharesCol),
                    DataTypes.createArrayType(DataTypes.DoubleType, false), true));
        } else {
            added.add(DataTypes.createStructField(getOrDefault(predictionCol), DataTypes.DoubleType, true));
            added.add(DataTypes.createStructField(getOrDefault(classNameCol), DataTypes.StringType, true));
            added.add(DataTypes.createStructField(getOrDefault(probabilityCol), SQLDataTypes.VectorType(), true));
        }
        added.add(DataTypes.createStructField(getOrDefault(errorCol), DataTypes.StringType, true));
        StructType out = schema;
        for (StructField f : added) {
            if (List.of(schema.fieldNames()).contains(f.name())) {
                throw new IllegalArgumentException("output column " + f.name() + " exists already; name another");
            }
            out = out.add(f);
        }
        return out;
    }

    @Override
    public Dataset<Row> transform(Dataset<?> dataset) {
        StructType out = transformSchema(dataset.schema());
        SparkSession spark = dataset.sparkSession();
        JavaSparkContext jsc = JavaSparkContext.fromSparkContext(spark.sparkContext());
        int image = List.of(dataset.schema().fieldNames()).indexOf(getOrDefault(inputCol));
        int threads = jsc.master().startsWith("local") ? 0 : jsc.getConf().getInt("spark.task.cpus", 1);
        RowPredictor predictor = new RowPredictor(getRunDir(), modelInput(), image, (Integer) getOrDefault(batch),
                (Long) getOrDefault(maxPixels), getOrDefault(engine), threads, new SerializableConf(jsc.hadoopConfiguration()));
        JavaRDD<Row> rows = dataset.toDF().javaRDD().mapPartitions(predictor::predict);
        return spark.createDataFrame(rows, out);
    }

    @Override
    public SegsparkModel copy(ParamMap extra) {
        return copyValues(new SegsparkModel(uid), extra).setParent(parent());
    }

    @Override
    public MLWriter write() {
        return new Writer(this);
    }

    @Override
    public void save(String path) throws IOException {
        write().save(path);
    }

    public static MLReader<SegsparkModel> read() {
        return new Reader();
    }

    /** A model saved by {@link #write()} (or in a saved Pipeline), or a run folder of {@code segspark train}. */
    public static SegsparkModel load(String path) {
        return read().load(path);
    }

    /** Spark ML's metadata (class, uid, Params), then the run's model, description and metrics under run/. */
    private static final class Writer extends MLWriter {
        private final SegsparkModel model;

        Writer(SegsparkModel model) {
            this.model = model;
        }

        @Override
        public void saveImpl(String path) {
            DefaultParamsWriter$.MODULE$.saveMetadata(model, path, sc(), Option.empty(), Option.empty());
            Configuration conf = sc().hadoopConfiguration();
            try {
                Path from = HadoopFiles.path(model.getRunDir());
                Path to = new Path(HadoopFiles.path(path), RUN_FILES);
                FileSystem src = HadoopFiles.fs(from, conf);
                FileSystem dst = HadoopFiles.fs(to, conf);
                for (String f : KEPT) {
                    Path file = new Path(from, f);
                    if (src.exists(file)) {
                        FileUtil.copy(src, file, dst, new Path(to, f), false, true, conf);
                    } else if (!f.equals(RunDirectory.METRICS)) {
                        throw new FileNotFoundException(file + " does not exist: " + model.getRunDir()
                                + " is not a finished run");
                    }
                }
            } catch (IOException e) {
                throw new UncheckedIOException("cannot save " + model.uid() + " to " + path, e);
            }
        }
    }

    private static final class Reader extends MLReader<SegsparkModel> {
        @Override
        public SegsparkModel load(String path) {
            Configuration conf = sc().hadoopConfiguration();
            Path root = HadoopFiles.path(path);
            try {
                FileSystem fs = HadoopFiles.fs(root, conf);
                if (fs.exists(new Path(root, "metadata"))) {
                    DefaultParamsReader.Metadata m = DefaultParamsReader$.MODULE$.loadMetadata(path, sc(),
                            SegsparkModel.class.getName());
                    SegsparkModel model = new SegsparkModel(m.uid());
                    m.getAndSetParams(model, Option.empty());
                    return model.setRunDir(new Path(root, RUN_FILES).toString());
                }
                if (fs.exists(new Path(root, RunDirectory.MODEL_INFO))) {
                    return fromRun(path);
                }
            } catch (IOException e) {
                throw new UncheckedIOException("cannot read " + path, e);
            }
            throw new IllegalArgumentException(path + " is neither a saved SegsparkModel (it has no metadata/) nor a "
                    + "run folder of segspark train (it has no " + RunDirectory.MODEL_INFO + ")");
        }
    }
}
