package org.segspark.jobs.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import org.apache.spark.api.java.JavaSparkContext;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.segspark.jobs.config.JobConfig;
import org.segspark.jobs.predict.ModelInput;
import org.segspark.jobs.progress.ProgressLine;
import org.segspark.jobs.spark.Sparks;
import org.segspark.jobs.train.Evaluation;
import org.segspark.jobs.train.RunDirectory;
import org.segspark.jobs.train.TrainConfig;
import org.segspark.jobs.train.Trainer;
import org.segspark.core.shards.ShardSet;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;

/** {@code segspark evaluate}: a finished run's model on a shard set, distributed like its training. */
@Command(name = "evaluate", mixinStandardHelpOptions = true,
        description = "Evaluate a training run's model (RUN/model.zip) on a shard set's split: mIoU, pixel accuracy and "
                + "per-class IoU (segmentation) or top-1 (classification), on the Spark executors.")
public final class EvaluateCommand implements Callable<Integer> {
    @Mixin
    CommonOptions common;

    @Option(names = "--model", paramLabel = "RUN", required = true, description = "A run folder written by segspark train")
    String run;

    @Option(names = "--data", paramLabel = "SHARDS", required = true, description = "Shard set (same tensor size and classes)")
    String data;

    @Option(names = "--split", paramLabel = "SPLIT", defaultValue = "val", description = "val (default) or train")
    String split;

    @Option(names = "--json", description = "One JSON object instead of the summary")
    boolean json;

    @Override
    public Integer call() throws Exception {
        JobConfig cfg = TrainCommand.savedRunConfig(run, common.set, true).option("train.data", data).option("train.out", run)
                .option("train.val-data", null).load();
        JavaSparkContext jsc = Sparks.start(cfg.get(), common.master);
        TrainConfig tc = TrainConfig.from(cfg.section("train"));
        RunDirectory dir = RunDirectory.existing(run, jsc.hadoopConfiguration(), "--model");
        ModelInput in = ModelInput.of(dir.readTree(RunDirectory.MODEL_INFO),
                "auto", run);
        var manifest = ShardSet.open(data, jsc.hadoopConfiguration()).manifest();
        List<String> classes = in.classes();
        if (!classes.equals(manifest.classes()) || in.height() != manifest.tensor().height()
                || in.width() != manifest.tensor().width()) {
            throw new IllegalArgumentException("the model in " + run + " takes " + in.height() + "x" + in.width()
                    + " images with classes " + classes + "; the shards at " + data + " are " + manifest.tensor().height()
                    + "x" + manifest.tensor().width() + " with classes " + manifest.classes());
        }
        ComputationGraph net = dir.loadModel(RunDirectory.MODEL);
        Evaluation.Result r = new Trainer(jsc, tc, System.err, ProgressLine.console()).evaluateTrained(net, data, split,
                in.normalizer());
        boolean seg = in.segmentation();
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("model", run);
        out.put("data", data);
        out.put("split", split);
        out.put("examples", r.examples());
        out.put("loss", r.meanLoss());
        if (seg) {
            out.put("miou", r.confusion().meanIou());
            out.put("pixel_accuracy", r.confusion().accuracy());
            Map<String, Double> perClass = new LinkedHashMap<>();
            double[] iou = r.confusion().iou();
            for (int c = 0; c < iou.length; c++) {
                perClass.put(classes.get(c), iou[c]);
            }
            out.put("per_class_iou", perClass);
        } else {
            out.put("top1", r.confusion().accuracy());
        }
        if (json) {
            System.out.println(new ObjectMapper().writeValueAsString(out));
        } else if (seg) {
            System.out.printf(Locale.ROOT, "evaluate: %d %s examples of %s: mIoU %.4f, pixel accuracy %.4f, per class %s%n",
                    r.examples(), split, data, r.confusion().meanIou(), r.confusion().accuracy(), out.get("per_class_iou"));
        } else {
            System.out.printf(Locale.ROOT, "evaluate: %d %s examples of %s: top-1 %.4f%n", r.examples(), split, data,
                    r.confusion().accuracy());
        }
        return 0;
    }
}
