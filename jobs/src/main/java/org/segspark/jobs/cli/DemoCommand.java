package org.segspark.jobs.cli;

import java.io.IOException;

import org.segspark.jobs.preprocess.PreprocessJob;

import org.apache.spark.api.java.JavaSparkContext;
import org.segspark.jobs.config.JobConfig;
import org.segspark.jobs.spark.Sparks;
import org.segspark.jobs.train.TrainJob;
import org.segspark.preprocess.coco.SyntheticCoco;
import org.apache.hadoop.conf.Configuration;
import org.segspark.jobs.shards.ShardPreview;
import org.segspark.core.io.OutputFolder;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.Callable;

@Command(name = "demo", mixinStandardHelpOptions = true,
        description = "The whole path on the embedded default: synthetic COCO -> shards -> UNet-MobileNetV2 trained "
                + "on Spark -> report. Settings in conf/demo.conf.")
public final class DemoCommand implements Callable<Integer> {
    @Mixin
    CommonOptions common;

    @Option(names = "--out", paramLabel = "DIR", description = "Folder for everything the demo writes (default demo-out)")
    String out;

    @Option(names = "--images", paramLabel = "N", description = "Synthetic images")
    Integer images;

    @Option(names = "--epochs", paramLabel = "E", description = "Training epochs")
    Integer epochs;

    /** A demo's folder (older ones are known by the synthetic data set inside). */
    static final OutputFolder.Kind KIND = new OutputFolder.Kind("demo", "coco");

    @Override
    public Integer call() throws Exception {
        long t0 = System.nanoTime();
        JobConfig cfg = JobConfig.of("demo", "synth-coco", "preprocess-coco", "train").file(common.config).set(common.set)
                .option("demo.out", out).option("demo.force", common.forced()).option("synth-coco.images", images)
                .option("train.epochs", epochs).load();
        Path root = Path.of(cfg.get().getString("demo.out")).toAbsolutePath();
        OutputFolder.claim(root.toString(), new Configuration(), KIND, cfg.get().getBoolean("demo.force"), "--out");
        cfg = withSyntheticData(cfg, root).with("train.out", root.resolve("run").toString());
        JavaSparkContext jsc = Sparks.start(cfg.get(), common.master);
        PreprocessJob.run(jsc, cfg, System.out);
        // what notebooks/shards.ipynb shows (Parquet needs no reader there)
        ShardPreview.write(root.resolve("shards").toString(), "val", 16,
                root.resolve("preview").toString(), jsc.hadoopConfiguration());
        TrainJob.Result r = TrainJob.run(jsc, cfg, System.out);
        double minutes = (System.nanoTime() - t0) / 60e9;
        System.out.printf(Locale.ROOT, "demo: %s; %.1f minutes end to end%n", TrainSummary.of(r), minutes);
        System.out.println("demo: report " + r.run().path("report.html").toUri().getPath());
        return 0;
    }

    /**
     * A demo's data under {@code root}: the synthetic COCO set of the synth-coco section written to
     * root/coco, preprocessing pointed at it and training at its shards (root/shards).
     */
    static JobConfig withSyntheticData(JobConfig cfg, Path root) throws IOException {
        Path coco = root.resolve("coco");
        OutputFolder.claim(coco.toString(), new Configuration(), SynthCocoCommand.KIND, false, "the demo's data folder");
        cfg = cfg.with("synth-coco.out", coco.toString())
                .with("preprocess.coco.annotations", coco.resolve(SyntheticCoco.ANNOTATIONS).toString())
                .with("preprocess.coco.images", coco.resolve(SyntheticCoco.IMAGES).toString())
                .with("preprocess.coco.out", root.resolve("shards").toString())
                .with("train.data", root.resolve("shards").toString());
        var s = cfg.section("synth-coco");
        new SyntheticCoco(s.getInt("width"), s.getInt("height"), s.getLong("seed")).write(coco, s.getInt("images"));
        System.out.printf(Locale.ROOT, "demo: %d synthetic COCO images of %dx%d in %s%n", s.getInt("images"),
                s.getInt("width"), s.getInt("height"), coco);
        return cfg;
    }
}
