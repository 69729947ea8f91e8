package org.segspark.jobs.cli;

import org.apache.spark.api.java.JavaSparkContext;
import org.segspark.core.config.SettingsSection;
import org.segspark.jobs.config.JobConfig;
import org.segspark.jobs.config.SectionCommand;
import org.segspark.jobs.config.SettingOptions;
import org.segspark.jobs.predict.PredictJob;
import org.segspark.jobs.progress.ProgressLine;
import org.segspark.jobs.progress.TaskProgress;
import org.segspark.jobs.spark.Sparks;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

import java.util.concurrent.Callable;

/** {@code segspark predict}: label maps and overlays (or classes) for a folder of images. */
@Command(name = "predict", mixinStandardHelpOptions = true,
        footerHeading = "%nExample:%n", footer = "  segspark predict --run run --images photos --out predictions",
        modelTransformer = SettingOptions.FromSection.class,
        description = "Run a training run's model over a folder of images on the Spark executors: for segmentation an "
                + "8-bit label map per image at the image's own size (labels/) and an overlay (overlays/); for "
                + "classification the class and its probability; predictions.csv and rejects.csv in --out.")
public final class PredictCommand implements Callable<Integer>, SectionCommand {
    @Override
    public SettingsSection section() {
        return PredictJob.SECTION;
    }

    @Mixin
    CommonOptions common;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        JobConfig cfg = JobConfig.of("predict").file(common.config).set(common.set)
                .options(SettingOptions.given(PredictJob.SECTION, spec)).option("predict.force", common.forced()).load();
        PredictJob.Settings s = PredictJob.Settings.from(cfg.section("predict"));
        JavaSparkContext jsc = Sparks.start(cfg.get(), common.master);
        try (TaskProgress p = TaskProgress.start(jsc.sc(), "segspark-predict", "predict", ProgressLine.console(), 0)) {
            PredictJob.Result r = PredictJob.run(jsc, s);
            System.out.printf("predict: %s (%s); %s; %s in %s%n", r.accounting(), r.served(),
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
