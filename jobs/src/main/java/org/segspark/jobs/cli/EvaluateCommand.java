package org.segspark.jobs.cli;

import org.apache.spark.api.java.JavaSparkContext;
import org.segspark.core.json.Json;
import org.segspark.core.text.Figures;
import org.segspark.jobs.config.Deprecation;
import org.segspark.jobs.config.JobConfig;
import org.segspark.jobs.records.EvaluationSummary;
import org.segspark.jobs.spark.Sparks;
import org.segspark.jobs.train.EvaluateJob;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

import java.util.Locale;
import java.util.concurrent.Callable;

/** {@code segspark evaluate}: a finished run's model on a shard set, distributed like its training. */
@Command(name = "evaluate", mixinStandardHelpOptions = true,
        footerHeading = "%nExample:%n", footer = "  segspark evaluate --run run --data shards --split val",
        description = "Evaluate a training run's model (RUN/model.zip) on a shard set's split: mIoU, pixel accuracy and "
                + "per-class IoU (segmentation) or top-1 (classification), on the Spark executors.")
public final class EvaluateCommand implements Callable<Integer> {
    @Mixin
    CommonOptions common;

    @Spec
    CommandSpec spec;

    @Option(names = "--run", paramLabel = "RUN", description = "A run folder written by segspark train (required)")
    String run;

    @Option(names = "--model", hidden = true, paramLabel = "RUN")
    void formerRun(String folder) {
        Deprecation.warn(spec, "--model", "--run");
        run = folder;
    }

    @Option(names = "--data", paramLabel = "SHARDS", required = true,
            description = "Shard set with the run's tensor size and classes (required)")
    String data;

    @Option(names = "--split", paramLabel = "SPLIT", defaultValue = "val", description = "val or train (default: ${DEFAULT-VALUE})")
    String split;

    @Option(names = "--json", description = "One JSON object instead of the summary")
    boolean json;

    @Override
    public Integer call() throws Exception {
        if (run == null) {
            throw new ParameterException(spec.commandLine(), "--run is required");
        }
        JobConfig cfg = TrainCommand.savedRunConfig(run, common.set, true).option("train.data", data).option("train.out", run)
                .option("train.val-data", null).load();
        JavaSparkContext jsc = Sparks.start(cfg.get(), common.master);
        EvaluationSummary r = EvaluateJob.run(jsc, cfg, run, split, System.err);
        if (json) {
            System.out.println(Json.line(r));
        } else if (r.segmentation()) {
            System.out.printf(Locale.ROOT, "evaluate: %s %s examples of %s: loss %s per pixel, mIoU %.4f, pixel accuracy %.4f; "
                            + "IoU by class: %s%n", Figures.count(r.examples()), split, data, Figures.of(r.loss()), r.miou(),
                    r.pixelAccuracy(), Figures.scores(r.perClassIou()));
        } else {
            System.out.printf(Locale.ROOT, "evaluate: %s %s examples of %s: loss %s per image, top-1 %.4f%n",
                    Figures.count(r.examples()), split, data, Figures.of(r.loss()), r.top1());
        }
        return 0;
    }
}
