package org.segspark.jobs.cli;

import org.apache.spark.api.java.JavaSparkContext;
import org.segspark.core.config.SettingsSection;
import org.segspark.jobs.config.JobConfig;
import org.segspark.jobs.config.SectionCommand;
import org.segspark.jobs.config.SettingOptions;
import org.segspark.jobs.progress.ProgressLine;
import org.segspark.jobs.progress.TaskProgress;
import org.segspark.jobs.spark.Sparks;
import org.segspark.preprocess.coco.CocoMasksJob;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

import java.util.concurrent.Callable;

@Command(name = "coco-masks", mixinStandardHelpOptions = true,
        footerHeading = "%nExample:%n", footer = {"  segspark coco-masks --annotations coco/annotations/instances.json \\",
                "      --images coco/images --out masks"},
        modelTransformer = SettingOptions.FromSection.class,
        description = "Write one 8-bit PNG label map per image of a COCO instances file, at the image's size, named "
                + "after the image (000000123.jpg -> 000000123.png): crowd regions and pixels where instances of "
                + "different classes overlap are 255, uncovered pixels 0. Rasterisation reproduces pycocotools exactly.")
public final class CocoMasksCommand implements Callable<Integer>, SectionCommand {
    @Override
    public SettingsSection section() {
        return CocoMasksJob.SECTION;
    }

    @Mixin
    CommonOptions common;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        JobConfig cfg = JobConfig.of("coco-masks").file(common.config).set(common.set)
                .options(SettingOptions.given(CocoMasksJob.SECTION, spec)).option("coco-masks.force", common.forced()).load();
        SettingsSection.Values v = CocoMasksJob.SECTION.read(cfg.section("coco-masks"));
        JavaSparkContext jsc = Sparks.start(cfg.get(), common.master);
        try (TaskProgress p = TaskProgress.start(jsc.sc(), "segspark-coco-masks", "coco-masks", ProgressLine.console(), 0)) {
            CocoMasksJob.Result r = CocoMasksJob.run(jsc, v);
            System.out.printf("coco-masks: %s; %d classes (%s); label maps and rejects.csv in %s%n", r.accounting(),
                    r.mapping().numClasses(), String.join(", ", r.mapping().classNames()), v.get(CocoMasksJob.OUT));
        }
        return 0;
    }

}
