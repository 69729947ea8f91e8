package org.segspark.jobs.cli;

import org.apache.spark.api.java.JavaSparkContext;
import org.segspark.jobs.config.JobConfig;
import org.segspark.jobs.progress.ProgressLine;
import org.segspark.jobs.progress.TaskProgress;
import org.segspark.jobs.spark.Sparks;
import org.segspark.preprocess.coco.CocoMasksJob;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.util.concurrent.Callable;

@Command(name = "coco-masks", mixinStandardHelpOptions = true,
        description = "Write one 8-bit PNG label map per image of a COCO instances file, at the image's size, named "
                + "after the image (000000123.jpg -> 000000123.png): crowd regions and pixels where instances of "
                + "different classes overlap are 255, uncovered pixels 0. Rasterisation reproduces pycocotools exactly.")
public final class CocoMasksCommand implements Callable<Integer> {
    @Mixin
    CommonOptions common;

    @Option(names = "--annotations", paramLabel = "FILE", description = "COCO instances JSON")
    String annotations;

    @Option(names = "--images", paramLabel = "DIR", description = "Folder the JSON's file names are relative to")
    String images;

    @Option(names = "--out", paramLabel = "DIR", description = "Output folder")
    String out;

    @Option(names = "--mapping", paramLabel = "NAME|FILE",
            description = "categories (default: ascending ids -> 1..K), coco4, or a mapping JSON file")
    String mapping;

    @Override
    public Integer call() throws Exception {
        JobConfig cfg = JobConfig.of("coco-masks").file(common.config).set(common.set)
                .option("coco-masks.annotations", annotations).option("coco-masks.images", images)
                .option("coco-masks.out", out).option("coco-masks.mapping", mapping).load();
        var c = cfg.section("coco-masks", "annotations", "images", "out");
        JavaSparkContext jsc = Sparks.start(cfg.get(), common.master);
        try (TaskProgress p = TaskProgress.start(jsc.sc(), "segspark-coco-masks", "coco-masks", ProgressLine.console(), 0)) {
            CocoMasksJob.Result r = CocoMasksJob.run(jsc, c.getString("annotations"), c.getString("images"),
                    c.getString("out"), c.getString("mapping"), c.getBoolean("force") || common.force);
            System.out.printf("coco-masks: %s; %d classes (%s); label maps and rejects.csv in %s%n", r.accounting(),
                    r.mapping().numClasses(), String.join(", ", r.mapping().classNames()), c.getString("out"));
        }
        return 0;
    }
}
