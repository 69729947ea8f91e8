package org.segspark.jobs.cli;

import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.Path;
import org.apache.spark.api.java.JavaSparkContext;
import org.segspark.jobs.config.JobConfig;
import org.segspark.jobs.spark.Sparks;
import org.segspark.jobs.train.RunDirectory;
import org.segspark.jobs.train.TrainJob;
import org.segspark.core.io.HadoopFiles;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.util.List;
import java.util.concurrent.Callable;

@Command(name = "train", mixinStandardHelpOptions = true,
        description = "Train a registry model on shards, data-parallel on Spark (parameter averaging; executors load "
                + "their own row groups). Writes RUN/model.zip, model.json, metrics.json, report.html, checkpoints/.")
public final class TrainCommand implements Callable<Integer> {
    @Mixin
    CommonOptions common;

    @Option(names = "--model", paramLabel = "NAME", description = "Registry model (default unet-mobilenetv2; segspark models lists them)")
    String model;

    @Option(names = "--task", paramLabel = "TASK", description = "classification or segmentation: checked against the model and the shards")
    String task;

    @Option(names = "--classes", paramLabel = "K", description = "Output classes (default: the shard set's)")
    Integer classes;

    @Option(names = "--val-data", paramLabel = "SHARDS", description = "Validate on this shard set's val split instead")
    String valData;

    @Option(names = "--width-multiplier", paramLabel = "ALPHA", description = "MobileNet width multiplier")
    Double widthMultiplier;

    @Option(names = "--pretrained", paramLabel = "H5", description = "Keras Applications notop weights for the encoder")
    String pretrained;

    @Option(names = "--freeze-encoder", paramLabel = "BOOL", arity = "0..1", fallbackValue = "true",
            description = "Keep the encoder fixed (true/false; default: the model's)")
    Boolean freezeEncoder;

    @Option(names = "--device", paramLabel = "DEV", description = "cpu or cuda: the ND4J backend the run must use")
    String device;

    @Option(names = "--data", paramLabel = "SHARDS", description = "Shard set from segspark preprocess")
    String data;

    @Option(names = "--out", paramLabel = "RUN", description = "Run folder")
    String out;

    @Option(names = "--epochs", paramLabel = "E", description = "Epochs")
    Integer epochs;

    @Option(names = "--batch", paramLabel = "B", description = "Minibatch size per worker")
    Integer batch;

    @Option(names = "--mode", paramLabel = "MODE", description = "parameter-averaging (default), gradient-sharing or local")
    String mode;

    @Option(names = "--workers", paramLabel = "N", description = "Parallel training tasks (0 = Spark's default parallelism)")
    Integer workers;

    @Option(names = "--lr", paramLabel = "LR", description = "Learning rate")
    Double lr;

    @Option(names = "--resume", paramLabel = "RUN", description = "Continue RUN from its last epoch checkpoint with "
            + "its saved settings (--epochs may raise the total; --set and --master apply)")
    String resume;

    @Override
    public Integer call() throws Exception {
        if (resume != null) {
            return resume();
        }
        JobConfig cfg = JobConfig.of("train").file(common.config).set(common.set)
                .option("train.model", model).option("train.task", task).option("train.classes", classes)
                .option("train.val-data", valData).option("train.width-multiplier", widthMultiplier)
                .option("train.model-options.pretrained", pretrained)
                .option("train.model-options.freeze-encoder", freezeEncoder).option("train.device", device)
                .option("train.data", data).option("train.out", out).option("train.force", common.forced())
                .option("train.epochs", epochs).option("train.batch", batch).option("train.mode", mode)
                .option("train.workers", workers).option("train.optimizer.lr", lr).load();
        JavaSparkContext jsc = Sparks.start(cfg.get(), common.master);
        TrainJob.Result r = TrainJob.run(jsc, cfg, System.out);
        System.out.println("train: " + TrainSummary.of(r) + "; outputs in " + r.run().root());
        return 0;
    }

    private Integer resume() throws Exception {
        if (common.config != null || model != null || data != null || out != null || mode != null || batch != null) {
            throw new IllegalArgumentException("--resume continues a run with its own saved settings; only --epochs, "
                    + "--set and --master may be given with it");
        }
        JobConfig cfg = savedRunConfig(resume, common.set).option("train.out", resume).option("train.epochs", epochs).load();
        JavaSparkContext jsc = Sparks.start(cfg.get(), common.master);
        TrainJob.Result r = TrainJob.run(jsc, cfg, System.out, true);
        System.out.println("train: " + TrainSummary.of(r) + "; outputs in " + r.run().root());
        return 0;
    }

    /** The settings a run was trained with (RUN/config.conf, any Hadoop file system), under --set overrides. */
    static JobConfig.Layers savedRunConfig(String run, List<String> set) throws IOException {
        return savedRunConfig(run, set, false);
    }

    /**
     * As above; with {@code optional}, a model folder without config.conf (nas prune's output: the
     * network was not trained there) gets the training defaults.
     */
    static JobConfig.Layers savedRunConfig(String run, List<String> set, boolean optional) throws IOException {
        Path saved = new Path(HadoopFiles.path(run), RunDirectory.CONFIG);
        Configuration conf = new Configuration();
        if (optional && !HadoopFiles.fs(saved, conf).exists(saved)) {
            return JobConfig.of("train").set(set);
        }
        File local = File.createTempFile("segspark-run", ".conf");
        local.deleteOnExit();
        Files.write(local.toPath(), HadoopFiles.readAll(saved, conf));
        return JobConfig.of("train").file(local).set(set);
    }
}
