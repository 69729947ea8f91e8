package org.segspark.jobs.cli;

import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.Path;
import org.apache.spark.api.java.JavaSparkContext;
import org.segspark.core.config.SettingsSection;
import org.segspark.core.io.HadoopFiles;
import org.segspark.jobs.config.JobConfig;
import org.segspark.jobs.config.SectionCommand;
import org.segspark.jobs.config.SettingOptions;
import org.segspark.jobs.run.RunDirectory;
import org.segspark.jobs.spark.Sparks;
import org.segspark.jobs.train.TrainConfig;
import org.segspark.jobs.train.TrainJob;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;

@Command(name = "train", mixinStandardHelpOptions = true,
        footerHeading = "%nExample:%n", footer = {"  segspark train --model unet-mobilenetv2 --data shards --out run \\",
                "      --epochs 10 --batch 8"},
        modelTransformer = SettingOptions.FromSection.class,
        description = "Train a registry model on shards, data-parallel on Spark (parameter averaging; executors load "
                + "their own row groups). Writes RUN/model.zip, model.json, metrics.json, report.html, checkpoints/.")
public final class TrainCommand implements Callable<Integer>, SectionCommand {
    @Override
    public SettingsSection section() {
        return TrainConfig.SECTION;
    }

    @Mixin
    CommonOptions common;

    @Spec
    CommandSpec spec;

    @Option(names = "--resume", paramLabel = "RUN", description = "Continue RUN from its last epoch checkpoint with "
            + "its saved settings (--epochs may raise the total; --set and --master apply)")
    String resume;

    @Override
    public Integer call() throws Exception {
        if (resume != null) {
            return resume();
        }
        JobConfig cfg = JobConfig.of("train").file(common.config).set(common.set)
                .options(SettingOptions.given(TrainConfig.SECTION, spec)).option("train.force", common.forced()).load();
        TrainConfig.from(cfg.section("train"));     // a missing or refused setting fails here, before Spark starts
        JavaSparkContext jsc = Sparks.start(cfg.get(), common.master);
        TrainJob.Result r = TrainJob.run(jsc, cfg, System.out);
        System.out.println("train: " + TrainSummary.of(r) + "; outputs in " + r.run().root());
        return 0;
    }

    private Integer resume() throws Exception {
        Map<String, Object> given = SettingOptions.given(TrainConfig.SECTION, spec);
        Object epochs = given.remove("train." + TrainConfig.EPOCHS.key());
        if (common.config != null || !given.isEmpty()) {
            throw new IllegalArgumentException("--resume continues a run with its own saved settings; only --epochs, "
                    + "--set and --master may be given with it");
        }
        JobConfig cfg = savedRunConfig(resume, common.set).option("train.out", resume).option("train.epochs", epochs).load();
        JavaSparkContext jsc = Sparks.start(cfg.get(), common.master);
        TrainJob.Result r = TrainJob.run(jsc, cfg, System.out, true);
        System.out.println("train: " + TrainSummary.of(r) + "; outputs in " + r.run().root());
        return 0;
    }

    /** The settings a run was trained with (RUN/config.conf, any Hadoop file system), under --set overrides. */
    static JobConfig.Layers savedRunConfig(String run, List<String> set) throws IOException {
        return savedRunConfig(run, set, false);
    }

    /**
     * As above; with {@code optional}, a model folder without config.conf (nas prune's output: the
     * network was not trained there) gets the training defaults.
     */
    static JobConfig.Layers savedRunConfig(String run, List<String> set, boolean optional) throws IOException {
        Path saved = new Path(HadoopFiles.path(run), RunDirectory.CONFIG);
        Configuration conf = new Configuration();
        if (optional && !HadoopFiles.fs(saved, conf).exists(saved)) {
            return JobConfig.of("train").set(set);
        }
        File local = File.createTempFile("segspark-run", ".conf");
        local.deleteOnExit();
        Files.write(local.toPath(), HadoopFiles.readAll(saved, conf));
        return JobConfig.of("train").file(local).set(set);
    }

}
