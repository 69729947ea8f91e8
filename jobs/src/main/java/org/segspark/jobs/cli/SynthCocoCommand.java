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

@Command(name = "synth-coco", mixinStandardHelpOptions = true,
        footerHeading = "%nExample:%n", footer = "  segspark synth-coco --out coco --image-count 200 --size 120x160 --seed 1",
        modelTransformer = SettingOptions.FromSection.class,
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

    @Option(names = "--size", paramLabel = "HxW", description = "Image height x width, e.g. 120x160 (default: 120x160)")
    String size;

    @Override
    public Integer call() throws Exception {
        int[] hw = Sizes.parse(size, "--size");
        String s = SynthCocoJob.SECTION.name() + ".";
        JobConfig cfg = JobConfig.of("synth-coco").file(common.config).set(common.set)
                .options(SettingOptions.given(SynthCocoJob.SECTION, spec))
                .option(s + SynthCocoJob.HEIGHT.key(), hw == null ? null : hw[0])
                .option(s + SynthCocoJob.WIDTH.key(), hw == null ? null : hw[1])
                .option(s + SynthCocoJob.FORCE.key(), common.forced()).load();
        SynthCocoJob.write(SynthCocoJob.Settings.from(cfg.section("synth-coco")), "--out", System.out);
        return 0;
    }

}
