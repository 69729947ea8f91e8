package org.segspark.jobs.cli;

import org.apache.hadoop.conf.Configuration;
import org.apache.spark.api.java.JavaSparkContext;
import org.segspark.core.config.Setting;
import org.segspark.core.config.SettingsSection;
import org.segspark.core.io.OutputFolder;
import org.segspark.jobs.config.Deprecation;
import org.segspark.jobs.config.JobConfig;
import org.segspark.jobs.config.SectionCommand;
import org.segspark.jobs.config.SettingOptions;
import org.segspark.jobs.preprocess.PreprocessJob;
import org.segspark.jobs.preprocess.SynthCocoJob;
import org.segspark.jobs.shards.ShardPreview;
import org.segspark.jobs.spark.Sparks;
import org.segspark.jobs.train.TrainJob;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;

@Command(name = "demo", mixinStandardHelpOptions = true,
        footerHeading = "%nExample:%n", footer = "  segspark demo --out demo-out",
        modelTransformer = SettingOptions.FromSection.class,
        description = "The whole path on the embedded default: synthetic COCO -> shards -> UNet-MobileNetV2 trained "
                + "on Spark -> report. Settings in conf/demo.conf.")
public final class DemoCommand implements Callable<Integer>, SectionCommand {
    @Override
    public SettingsSection section() {
        return SECTION;
    }

    @Mixin
    CommonOptions common;

    @Spec
    CommandSpec spec;

    // options of other sections' settings
    @Option(names = "--image-count", paramLabel = "N", description = "Synthetic images (default: demo.conf's synth-coco.images)")
    Integer images;

    @Option(names = "--images", hidden = true, paramLabel = "N")
    void formerImages(int n) {
        Deprecation.warn(spec, "--images", "--image-count");
        images = n;
    }

    @Option(names = "--epochs", paramLabel = "E", description = "Training epochs (default: demo.conf's train.epochs)")
    Integer epochs;

    /** A demo's folder (older ones are known by the synthetic data set inside). */
    static final OutputFolder.Kind KIND = new OutputFolder.Kind("demo", "coco");

    public static final Setting<String> OUT = Setting.text("out",
                    "Folder for everything the demo writes: coco/ (the synthetic data), shards/, preview/ and run/.")
            .option("--out", "DIR", "Folder for everything the demo writes");
    public static final Setting<Boolean> FORCE = OutputFolder.FORCE;
    /** The demo's own section; its synth-coco, preprocess.coco and train sections are those jobs' settings. */
    public static final SettingsSection SECTION = new SettingsSection("demo", List.of(OUT, FORCE));

    @Override
    public Integer call() throws Exception {
        long t0 = System.nanoTime();
        JobConfig cfg = JobConfig.of("demo", "synth-coco", "preprocess-coco", "train").file(common.config).set(common.set)
                .options(SettingOptions.given(SECTION, spec)).option("demo.force", common.forced())
                .option("synth-coco.images", images).option("train.epochs", epochs).load();
        SettingsSection.Values demo = SECTION.read(cfg.section("demo"));
        Path root = Path.of(demo.get(OUT)).toAbsolutePath();
        OutputFolder.claim(root.toString(), new Configuration(), KIND, demo.get(FORCE), "--out");
        cfg = SynthCocoJob.demoData(cfg, root, System.out).with("train.out", root.resolve("run").toString());
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

}
