package org.segspark.jobs.cli;

import org.apache.spark.api.java.JavaSparkContext;
import org.segspark.jobs.config.JobConfig;
import org.segspark.jobs.progress.ProgressLine;
import org.segspark.jobs.progress.TaskProgress;
import org.segspark.jobs.spark.Sparks;
import org.segspark.preprocess.coco.CocoShardConfig;
import org.segspark.preprocess.coco.CocoShardJob;
import org.segspark.preprocess.job.ShardJob;
import org.segspark.preprocess.shards.ShardManifest;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.io.PrintStream;
import java.util.Locale;
import java.util.concurrent.Callable;

@Command(name = "preprocess", mixinStandardHelpOptions = true,
        description = "Turn a data set into Parquet tensor shards with a manifest (docs/SHARD_FORMAT.md).",
        subcommands = {PreprocessCommand.Coco.class})
public final class PreprocessCommand implements Runnable {
    @Override
    public void run() {
        throw new picocli.CommandLine.ParameterException(new picocli.CommandLine(this),
                "name a source: segspark preprocess coco --help");
    }

    @Command(name = "coco", mixinStandardHelpOptions = true,
            description = "COCO instances JSON + images -> segmentation shards. Executors read the images themselves; "
                    + "unusable inputs go to rejects.csv and inputs = written + rejected is checked.")
    public static final class Coco implements Callable<Integer> {
        @Mixin
        CommonOptions common;

        @Option(names = "--annotations", paramLabel = "FILE", description = "COCO instances JSON")
        String annotations;

        @Option(names = "--images", paramLabel = "DIR", description = "Folder the JSON's file names are relative to")
        String images;

        @Option(names = "--out", paramLabel = "SHARDS", description = "Shard set folder (any Hadoop URI)")
        String out;

        @Option(names = "--size", paramLabel = "HxW", description = "Tensor height x width, e.g. 128x128")
        String size;

        @Option(names = "--mapping", paramLabel = "NAME|FILE", description = "categories, coco4, or a mapping JSON file")
        String mapping;

        @Option(names = "--val-fraction", paramLabel = "F", description = "Share of images in the val split")
        Double valFraction;

        @Override
        public Integer call() throws Exception {
            int[] hw = Sizes.parse(size, "--size");
            JobConfig cfg = JobConfig.of("preprocess-coco").file(common.config).set(common.set)
                    .option("preprocess.coco.annotations", annotations).option("preprocess.coco.images", images)
                    .option("preprocess.coco.out", out).option("preprocess.coco.mapping", mapping)
                    .option("preprocess.coco.val-fraction", valFraction)
                    .option("preprocess.coco.height", hw == null ? null : hw[0])
                    .option("preprocess.coco.width", hw == null ? null : hw[1]).load();
            JavaSparkContext jsc = Sparks.start(cfg.get(), common.master);
            run(jsc, cfg, System.out);
            return 0;
        }
    }

    /** Runs the COCO shard job with a progress line and prints its books. */
    public static ShardJob.Result run(JavaSparkContext jsc, JobConfig cfg, PrintStream console) throws Exception {
        CocoShardConfig c = CocoShardConfig.from(cfg.section("preprocess.coco"));
        long t = System.nanoTime();
        ShardJob.Result r;
        try (TaskProgress p = TaskProgress.start(jsc.sc(), "segspark-preprocess", "preprocess coco",
                ProgressLine.console(), 0)) {
            r = CocoShardJob.run(jsc, c, cfg.jsonTree("preprocess.coco"));
        }
        ShardManifest m = r.manifest();
        double s = (System.nanoTime() - t) / 1e9;
        console.printf(Locale.ROOT, "preprocess coco: %s; train %d, val %d examples of %dx%d, %d classes; %.1f s (%.1f images/s)%n",
                r.accounting(), m.split("train").examples(), m.split("val").examples(), m.tensor().height(),
                m.tensor().width(), m.numClasses(), s, r.accounting().inputs() / s);
        if (r.accounting().rejected() > 0) {
            console.printf("preprocess coco: %d rejected inputs listed in %s/rejects.csv, e.g. %s: %s%n",
                    r.accounting().rejected(), c.shards().out(), r.rejects().get(0).path(), r.rejects().get(0).reason());
        }
        return r;
    }
}
