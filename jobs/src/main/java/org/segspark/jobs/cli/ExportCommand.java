package org.segspark.jobs.cli;

import org.apache.hadoop.conf.Configuration;
import org.segspark.core.config.SettingsSection;
import org.segspark.jobs.config.JobConfig;
import org.segspark.jobs.config.SectionCommand;
import org.segspark.jobs.config.SettingOptions;
import org.segspark.jobs.export.ExportJob;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

import java.util.concurrent.Callable;

/** {@code segspark export}: a run's network as an ONNX model (docs/EXPORT.md). */
@Command(name = "export", mixinStandardHelpOptions = true,
        footerHeading = "%nExample:%n", footer = "  segspark export --run run --out run/model.onnx --batch dynamic",
        modelTransformer = SettingOptions.FromSection.class,
        description = "Write a trained or pruned network (a run folder or a model.zip beside its model.json) as an ONNX "
                + "model for ONNX Runtime and TensorRT: input \"input\" float32 NCHW, output \"probabilities\"; checked "
                + "against DL4J in ONNX Runtime before it is written; recorded in model.json. Defaults in conf/export.conf.")
public final class ExportCommand implements Callable<Integer>, SectionCommand {
    @Override
    public SettingsSection section() {
        return ExportJob.SECTION;
    }

    @Mixin
    CommonOptions common;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        JobConfig cfg = JobConfig.of("export").file(common.config).set(common.set)
                .options(SettingOptions.given(ExportJob.SECTION, spec)).option("export.force", common.forced()).load();
        ExportJob.Settings s = ExportJob.Settings.from(cfg.section("export"));
        ExportJob.run(s, new Configuration(), System.out);
        return 0;
    }

}
