package org.segspark.jobs.cli;

import org.segspark.core.config.SettingsSection;
import org.segspark.jobs.config.JobConfig;
import org.segspark.jobs.config.SectionCommand;
import org.segspark.jobs.config.SettingOptions;
import org.segspark.jobs.preprocess.SynthCocoJob;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.util.concurrent.Callable;

@Command(name = "synth-coco", mixinStandardHelpOptions = true, modelTransformer = SettingOptions.FromSection.class,
        description = "Write a synthetic data set in COCO instances format: JPEG images of people, cars and dogs "
                + "(polygons, crowds as RLE, overlaps) on textured backgrounds. The same seed gives the same bytes.")
public final class SynthCocoCommand implements Callable<Integer>, SectionCommand {
    @Override
    public SettingsSection section() {
        return SynthCocoJob.SECTION;
    }

    @Mixin
    CommonOptions common;

    @Spec
    CommandSpec spec;

    @Option(names = "--size", paramLabel = "WxH", description = "Image width x height, e.g. 160x120")
    String size;

    @Override
    public Integer call() throws Exception {
        int[] wh = Sizes.parse(size, "--size");
        String s = SynthCocoJob.SECTION.name() + ".";
        JobConfig cfg = JobConfig.of("synth-coco").file(common.config).set(common.set)
                .options(SettingOptions.given(SynthCocoJob.SECTION, spec))
                .option(s + SynthCocoJob.WIDTH.key(), wh == null ? null : wh[0])
                .option(s + SynthCocoJob.HEIGHT.key(), wh == null ? null : wh[1])
                .option(s + SynthCocoJob.FORCE.key(), common.forced()).load();
        SynthCocoJob.write(SynthCocoJob.Settings.from(cfg.section("synth-coco")), "--out", System.out);
        return 0;
    }

}
