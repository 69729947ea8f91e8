package org.segspark.jobs.cli;

import org.apache.hadoop.conf.Configuration;
import org.apache.spark.api.java.JavaSparkContext;
import org.segspark.core.config.Setting;
import org.segspark.core.config.SettingsSection;
import org.segspark.core.io.OutputFolder;
import org.segspark.jobs.config.JobConfig;
import org.segspark.jobs.config.SectionCommand;
import org.segspark.jobs.config.SettingOptions;
import org.segspark.jobs.nas.NasPipeline;
import org.segspark.jobs.nas.NasResult;
import org.segspark.jobs.nas.PruneJob;
import org.segspark.jobs.nas.SweepJob;
import org.segspark.jobs.preprocess.PreprocessJob;
import org.segspark.jobs.preprocess.SynthCocoJob;
import org.segspark.jobs.run.RunDirectory;
import org.segspark.jobs.spark.Sparks;
import org.segspark.jobs.train.TrainConfig;
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

/** {@code segspark nas}: prune a search run, run a sweep of searches, or the search demo. */
@Command(name = "nas", mixinStandardHelpOptions = true,
        description = "Size-reducing architecture search. A search is a training run of nas-unet or nas-classifier "
                + "(segspark train); then: prune, sweep, demo.",
        subcommands = {NasCommand.Run.class, NasCommand.Prune.class, NasCommand.Sweep.class, NasCommand.Demo.class})
public final class NasCommand implements Runnable {
    /** The search demo's folder (older ones are known by its result). */
    static final OutputFolder.Kind NAS_DEMO = new OutputFolder.Kind("nas-demo", NasPipeline.RESULT);

    @Override
    public void run() {
        throw new picocli.CommandLine.ParameterException(new picocli.CommandLine(this),
                "name a step: prune, sweep or demo (segspark nas prune --help)");
    }

    @Command(name = "run", mixinStandardHelpOptions = true,
            footerHeading = "%nExample:%n", footer = {"  segspark nas run --config conf/nas-cifar10.conf --out nas-out \\",
                    "      --search-epochs 10 --finetune-epochs 5"},
            description = "One search end to end: search-train the configured nas model (OUT/search), prune it "
                    + "(OUT/pruned), fine-tune the pruned network (OUT/finetune), OUT/nas-result.json.")
    static final class Run implements Callable<Integer> {
        @Mixin
        CommonOptions common;

        @Option(names = "--out", paramLabel = "DIR", required = true, description = "Folder for the three runs and the result (required)")
        String out;

        @Option(names = "--search-epochs", paramLabel = "N", description = "Epochs of the search (default: train.epochs)")
        Integer searchEpochs;

        @Option(names = "--finetune-epochs", paramLabel = "N", description = "Epochs of the pruned network's training (default: 0, none)")
        Integer finetuneEpochs;

        @Override
        public Integer call() throws Exception {
            // the search's own folder is written below --out; every other training setting is checked before Spark starts
            JobConfig cfg = JobConfig.of("train").file(common.config).set(common.set).load();
            TrainConfig.from(cfg.with("train.out", out).section("train"));
            OutputFolder.claim(out, new Configuration(), NasPipeline.KIND, common.force, "--out");
            JavaSparkContext jsc = Sparks.start(cfg.get(), common.master);
            NasPipeline.run(jsc, jsc.hadoopConfiguration(), cfg, out,
                    searchEpochs != null ? searchEpochs : cfg.get().getInt("train.epochs"),
                    finetuneEpochs != null ? finetuneEpochs : 0, System.out);
            return 0;
        }
    }

    @Command(name = "prune", mixinStandardHelpOptions = true,
            footerHeading = "%nExample:%n", footer = "  segspark nas prune --run nas-out/search --out pruned",
            description = "Build the physically smaller plain network a search run chose (channels, steps, U-Net "
                    + "depth), with its weights: OUT/model.zip, architecture.json, prune.json (parameters and MACs "
                    + "before/after), finetune.conf (segspark train --config OUT/finetune.conf).")
    static final class Prune implements Callable<Integer> {
        @Option(names = "--run", paramLabel = "RUN", required = true, description = "A search run folder (required)")
        String run;

        @Option(names = "--out", paramLabel = "DIR", required = true, description = "Folder for the pruned network (required)")
        String out;

        @Option(names = "--force", description = "Write into a non-empty --out that holds something else (its other files are kept)")
        boolean force;

        @Override
        public Integer call() throws Exception {
            PruneJob.run(run, out, new Configuration(), System.out, force);
            return 0;
        }
    }

    @Command(name = "sweep", mixinStandardHelpOptions = true,
            footerHeading = "%nExample:%n", footer = {"  segspark nas sweep --config conf/sweep.conf --out sweep-out \\",
                    "      --mode trial-parallel"},
            modelTransformer = SettingOptions.FromSection.class,
            description = "Trials (searches or plain training runs) over the cluster, trial-parallel or data-parallel; "
                    + "finished trials are skipped on rerun. Settings in conf/sweep.conf.")
    static final class Sweep implements Callable<Integer>, SectionCommand {
        @Override
        public SettingsSection section() {
            return SweepJob.SECTION;
        }


        @Mixin
        CommonOptions common;

        @Spec
        CommandSpec spec;

        @Override
        public Integer call() throws Exception {
            JobConfig cfg = JobConfig.of("sweep", "train").file(common.config).set(common.set)
                    .options(SettingOptions.given(SweepJob.SECTION, spec)).option("sweep.force", common.forced()).load();
            JavaSparkContext jsc = Sparks.start(cfg.get(), common.master);
            SweepJob.run(jsc, cfg, System.out);
            return 0;
        }
    }

    @Command(name = "demo", mixinStandardHelpOptions = true,
            footerHeading = "%nExample:%n", footer = "  segspark nas demo --out nas-demo-out",
            modelTransformer = SettingOptions.FromSection.class,
            description = "The search evidence end to end: synthetic COCO -> shards -> the unpruned nas-unet trained "
                    + "for the whole budget, and search -> prune -> fine-tune within the same budget -> "
                    + "OUT/nas-result.json. Settings in conf/nas-demo.conf.")
    public static final class Demo implements Callable<Integer>, SectionCommand {
        @Override
        public SettingsSection section() {
            return SECTION;
        }

        public static final Setting<String> OUT = Setting.text("out",
                        "Folder for everything the nas demo writes: coco/, shards/, unpruned/, the search, prune and "
                                + "fine-tune runs, nas-result.json.")
                .option("--out", "DIR", "Folder for everything it writes");
        public static final Setting<Boolean> FORCE = OutputFolder.FORCE;
        public static final Setting<Integer> SEARCH_EPOCHS = Setting.integer("search-epochs",
                "Epochs of the search; the unpruned network trains search-epochs + finetune-epochs.").atLeast(1);
        public static final Setting<Integer> FINETUNE_EPOCHS = Setting.integer("finetune-epochs",
                "Epochs of fine-tuning the pruned network.").atLeast(0);
        /** The nas demo's own section; its synth-coco, preprocess.coco and train sections are those jobs' settings. */
        public static final SettingsSection SECTION = new SettingsSection("nas-demo", List.of(OUT, FORCE, SEARCH_EPOCHS,
                FINETUNE_EPOCHS));

        @Mixin
        CommonOptions common;

        @Spec
        CommandSpec spec;

        @Override
        public Integer call() throws Exception {
            long t0 = System.nanoTime();
            JobConfig cfg = JobConfig.of("nas-demo", "synth-coco", "preprocess-coco", "train").file(common.config)
                    .set(common.set).options(SettingOptions.given(SECTION, spec)).option("nas-demo.force", common.forced())
                    .load();
            SettingsSection.Values d = SECTION.read(cfg.section("nas-demo"));
            Path root = Path.of(d.get(OUT)).toAbsolutePath();
            OutputFolder.claim(root.toString(), new Configuration(), NAS_DEMO, d.get(FORCE), "--out");
            cfg = SynthCocoJob.demoData(cfg, root, System.out);
            JavaSparkContext jsc = Sparks.start(cfg.get(), common.master);
            PreprocessJob.run(jsc, cfg, System.out);
            int search = d.get(SEARCH_EPOCHS), finetune = d.get(FINETUNE_EPOCHS);
            System.out.printf(Locale.ROOT, "nas demo: the unpruned network, %d epochs%n", search + finetune);
            TrainJob.Result base = TrainJob.run(jsc, cfg.with("train.out", root.resolve("unpruned").toString())
                    .with("train.epochs", search + finetune)
                    .with("train.model-options.architecture.mode", "plain"), System.out);
            System.out.printf(Locale.ROOT, "nas demo: search %d epochs, prune, fine-tune %d epochs%n", search, finetune);
            NasResult searched = NasPipeline.run(jsc, jsc.hadoopConfiguration(), cfg, root.toString(), search, finetune,
                    System.out);
            long unprunedParams = base.run().readTree(RunDirectory.MODEL_INFO).path("params_total").asLong();
            NasResult r = searched.withUnpruned(base.metrics().headline(), unprunedParams, search + finetune,
                    (System.nanoTime() - t0) / 60e9);
            new RunDirectory(root.toString(), jsc.hadoopConfiguration()).writeJson(NasPipeline.RESULT, r);
            System.out.printf(Locale.ROOT, "nas demo: unpruned %s %.4f (%,d parameters); searched and pruned %.4f "
                            + "(%,d parameters, %.1f%% removed); %.1f minutes; %s%n", r.metric(), r.unprunedMetric(),
                    unprunedParams, r.metricAfter(), r.paramsAfter(), 100 * r.paramsRemoved(), r.minutesEndToEnd(),
                    root.resolve(NasPipeline.RESULT));
            return 0;
        }

    }
}
