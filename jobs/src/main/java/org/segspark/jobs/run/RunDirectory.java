package org.segspark.jobs.run;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FSDataOutputStream;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.util.ModelSerializer;
import org.segspark.core.io.BadInputException;
import org.segspark.core.io.HadoopFiles;
import org.segspark.core.io.OutputFolder;
import org.segspark.core.json.Json;
import org.segspark.jobs.records.CheckpointPointer;
import org.segspark.jobs.records.EpochMetrics;
import org.segspark.jobs.records.EpochTiming;
import org.segspark.models.registry.SavedNetworks;

import java.io.FileNotFoundException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/** A run's output folder on any Hadoop file system; every file is written aside and renamed into place. */
public final class RunDirectory {
    public static final String CONFIG = "config.conf";
    public static final String MODEL = "model.zip";
    public static final String MODEL_INFO = "model.json";
    public static final String METRICS = "metrics.json";
    public static final String REPORT = "report.html";
    public static final String CHECKPOINTS = "checkpoints";
    /** One JSON object per finished epoch, rewritten after each: a running job's progress for notebooks. */
    public static final String HISTORY = "history.jsonl";
    /** One {@link EpochTiming} per finished epoch: where the training time went. */
    public static final String TRAINING_STATS = "training-stats.jsonl";
    /** The Spark properties the run trained with. */
    public static final String SPARK_PROPERTIES = "spark.properties";
    public static final String LATEST = CHECKPOINTS + "/latest.json";
    public static final String BEST = CHECKPOINTS + "/best.zip";

    private final Path root;
    private final Configuration conf;

    /** A training run's folder; older runs are known by their files. */
    public static final OutputFolder.Kind RUN = new OutputFolder.Kind("run", MODEL_INFO, CONFIG, CHECKPOINTS);

    /** A folder to read or write; nothing is created until something is written. */
    public RunDirectory(String location, Configuration conf) throws IOException {
        this.root = HadoopFiles.path(location);
        this.conf = conf;
    }

    /**
     * A folder to write {@code kind}'s output into: refused when it is a file, or a non-empty
     * folder holding something else, unless {@code force} (see {@link OutputFolder}).
     */
    public static RunDirectory claim(String location, Configuration conf, OutputFolder.Kind kind, boolean force,
                                     String option) throws IOException {
        OutputFolder.claim(location, conf, kind, force, option);
        return new RunDirectory(location, conf);
    }

    /** A finished run to read: the folder must exist and hold the run's model description. */
    public static RunDirectory existing(String location, Configuration conf, String option) throws IOException {
        RunDirectory d = new RunDirectory(location, conf);
        if (!d.fs().exists(d.root)) {
            throw new FileNotFoundException(option + " " + location + " does not exist");
        }
        if (!d.exists(MODEL_INFO)) {
            throw new FileNotFoundException(option + " " + location + " is not a finished run: it has no " + MODEL_INFO);
        }
        return d;
    }

    public Path root() {
        return root;
    }

    public Path path(String relative) {
        return new Path(root, relative);
    }

    public boolean exists(String relative) throws IOException {
        return fs().exists(path(relative));
    }

    private FileSystem fs() throws IOException {
        return HadoopFiles.fs(root, conf);
    }

    public void writeText(String relative, String text) throws IOException {
        writeBytes(relative, text.getBytes(StandardCharsets.UTF_8));
    }

    public void writeBytes(String relative, byte[] bytes) throws IOException {
        HadoopFiles.writeAtomically(path(relative), conf, bytes);
    }

    public void writeJson(String relative, Object value) throws IOException {
        writeBytes(relative, Json.pretty(value));
    }

    public void writeJsonLines(String relative, List<?> values) throws IOException {
        StringBuilder b = new StringBuilder();
        for (Object v : values) {
            b.append(Json.line(v)).append('\n');
        }
        writeText(relative, b.toString());
    }

    public byte[] read(String relative) throws IOException {
        return HadoopFiles.readAll(path(relative), conf);
    }

    /** A JSON file of the run; damage is an error naming the file and position. */
    public JsonNode readTree(String relative) throws IOException {
        try {
            return Json.mapper().readTree(read(relative));
        } catch (JsonProcessingException e) {
            throw damagedJson(path(relative), e);
        }
    }

    static BadInputException damagedJson(Object file, JsonProcessingException e) {
        var at = e.getLocation();
        return new BadInputException(file + " is not valid JSON" + (at == null ? "" : " at line " + at.getLineNr()
                + ", column " + at.getColumnNr()) + " (truncated or damaged?): " + e.getOriginalMessage(), e);
    }

    /** Saves a network; with its updater's state, training can continue from it. */
    public void saveModel(String relative, ComputationGraph net, boolean withUpdater) throws IOException {
        Path target = path(relative);
        FileSystem fs = fs();
        fs.mkdirs(target.getParent());
        Path tmp = HadoopFiles.stagingPath(target);
        try (FSDataOutputStream out = fs.create(tmp, true)) {
            ModelSerializer.writeModel(net, out, withUpdater);
        }
        HadoopFiles.commit(fs, tmp, target);
    }

    public ComputationGraph loadModel(String relative) throws IOException {
        Path p = path(relative);
        HadoopFiles.requireRegularFile(p);
        if (!fs().exists(p)) {
            throw new FileNotFoundException(p + " does not exist");
        }
        try (InputStream in = fs().open(p)) {
            return SavedNetworks.restore(in, true);
        } catch (IOException | RuntimeException e) {
            throw new BadInputException(p + " cannot be read as a saved network (truncated or damaged?): "
                    + BadInputException.rootMessage(e), e);
        }
    }

    /**
     * The last epoch checkpoint (network with updater state) and the epochs up to it. The epoch's
     * own figures come from latest.json, written with the checkpoint, so a run killed before it
     * rewrote history.jsonl still resumes with a complete history.
     */
    public ResumePoint resumePoint() throws IOException {
        if (!exists(LATEST)) {
            throw new FileNotFoundException(root + " has no " + LATEST + ": nothing to resume (no epoch finished)");
        }
        CheckpointPointer latest = readJson(LATEST, CheckpointPointer.class);
        int epoch = latest.epoch();
        ComputationGraph net = loadModel(latest.file());
        List<EpochMetrics> history = new ArrayList<>();
        for (EpochMetrics m : readJsonLines(HISTORY, EpochMetrics.class)) {
            if (m.epoch() < epoch) {
                history.add(m);
            }
        }
        history.add(latest.metrics());
        if (history.size() != epoch) {
            throw new IOException(root + ": " + HISTORY + " lacks epochs before the checkpoint of epoch " + epoch);
        }
        return new ResumePoint(net, history);
    }

    /** A JSON file of the run as a record; damage is an error naming the file and position. */
    public <T> T readJson(String relative, Class<T> type) throws IOException {
        try {
            return Json.read(read(relative), type);
        } catch (JsonProcessingException e) {
            throw damagedJson(path(relative), e);
        }
    }

    /** The lines of a JSON-lines file of the run as records (none when it is absent). */
    public <T> List<T> readJsonLines(String relative, Class<T> type) throws IOException {
        List<T> out = new ArrayList<>();
        if (exists(relative)) {
            for (String line : new String(read(relative), StandardCharsets.UTF_8).split("\n")) {
                if (!line.isBlank()) {
                    try {
                        out.add(Json.read(line, type));
                    } catch (JsonProcessingException e) {
                        throw damagedJson(path(relative), e);
                    }
                }
            }
        }
        return out;
    }

    /** The epoch timings written so far, up to epoch {@code upTo} (none when the file is absent). */
    public List<EpochTiming> timings(int upTo) throws IOException {
        return readJsonLines(TRAINING_STATS, EpochTiming.class).stream().filter(t -> t.epoch() <= upTo).toList();
    }

    /** The epoch checkpoints present, oldest first (relative names). */
    public List<String> checkpointFiles() throws IOException {
        Path dir = path(CHECKPOINTS);
        List<String> names = new ArrayList<>();
        if (fs().exists(dir)) {
            for (FileStatus st : fs().listStatus(dir)) {
                String n = st.getPath().getName();
                if (n.matches("epoch-\\d+\\.zip")) {
                    names.add(CHECKPOINTS + "/" + n);
                }
            }
        }
        names.sort(null);
        return names;
    }

    public void delete(String relative) throws IOException {
        fs().delete(path(relative), false);
    }
}
