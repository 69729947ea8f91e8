package org.segspark.jobs.cli;

import com.typesafe.config.Config;
import org.apache.spark.api.java.JavaSparkContext;
import org.segspark.jobs.config.JobConfig;
import org.segspark.jobs.predict.PredictJob;
import org.segspark.jobs.progress.ProgressLine;
import org.segspark.jobs.progress.TaskProgress;
import org.segspark.jobs.spark.Sparks;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.util.concurrent.Callable;

/** {@code segspark predict}: label maps and overlays (or classes) for a folder of images. */
@Command(name = "predict", mixinStandardHelpOptions = true,
        description = "Run a training run's model over a folder of images on the Spark executors: for segmentation an "
                + "8-bit label map per image at the image's own size (labels/) and an overlay (overlays/); for "
                + "classification the class and its probability; predictions.csv and rejects.csv in --out.")
public final class PredictCommand implements Callable<Integer> {
    @Mixin
    CommonOptions common;

    @Option(names = "--model", paramLabel = "RUN", description = "A run folder written by segspark train")
    String model;

    @Option(names = "--images", paramLabel = "DIR", description = "Folder of images (read recursively)")
    String images;

    @Option(names = "--out", paramLabel = "DIR", description = "Output folder")
    String out;

    @Option(names = "--batch", paramLabel = "N", description = "Images per forward pass (default 8)")
    Integer batch;

    @Option(names = "--overlays", negatable = true, description = "Write overlays (default); --no-overlays skips them")
    Boolean overlays;

    @Option(names = "--engine", paramLabel = "ENGINE", description = "dl4j (default: the run's model.zip) or onnxruntime "
            + "(the exported ONNX file: --onnx, else the run's latest segspark export)")
    String engine;

    @Option(names = "--onnx", paramLabel = "FILE.onnx", description = "The ONNX file for --engine onnxruntime")
    String onnx;

    @Override
    public Integer call() throws Exception {
        JobConfig cfg = JobConfig.of("predict").file(common.config).set(common.set)
                .option("predict.model", model).option("predict.images", images).option("predict.out", out)
                .option("predict.batch", batch).option("predict.overlays", overlays)
                .option("predict.engine", engine).option("predict.onnx", onnx).load();
        Config c = cfg.section("predict", "model", "images", "out");
        PredictJob.Settings s = new PredictJob.Settings(c.getString("model"), c.getString("images"), c.getString("out"),
                c.getInt("batch"), c.getBoolean("overlays"), c.getString("aspect"), c.getLong("max-pixels"),
                c.getBoolean("force") || common.force, c.getString("engine"),
                c.hasPath("onnx") && !c.getIsNull("onnx") ? c.getString("onnx") : null);
        JavaSparkContext jsc = Sparks.start(cfg.get(), common.master);
        try (TaskProgress p = TaskProgress.start(jsc.sc(), "segspark-predict", "predict", ProgressLine.console(), 0)) {
            PredictJob.Result r = PredictJob.run(jsc, s);
            System.out.printf("predict: %s; %s; %s in %s%n", r.accounting(),
                    r.input().segmentation() ? "label maps in labels/" + (s.overlays() ? ", overlays in overlays/" : "")
                            : "classes in predictions.csv",
                    "predictions.csv and rejects.csv", s.out());
            if (!r.skipped().isEmpty()) {
                System.out.printf("predict: skipped %d files that are not images (by extension), e.g. %s%n",
                        r.skipped().size(), r.skipped().get(0));
            }
        }
        return 0;
    }
}
