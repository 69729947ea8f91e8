package org.segspark.jobs.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import org.apache.spark.api.java.JavaSparkContext;
import org.segspark.core.config.SettingsSection;
import org.segspark.jobs.bench.DistributedBenchmark;
import org.segspark.jobs.bench.ExportBenchmark;
import org.segspark.jobs.bench.MachineProbe;
import org.segspark.jobs.bench.ModelsBenchmark;
import org.segspark.jobs.bench.PreprocessBenchmark;
import org.segspark.jobs.bench.TrainBenchmark;
import org.segspark.jobs.config.JobConfig;
import org.segspark.jobs.config.SectionCommand;
import org.segspark.jobs.config.SettingOptions;
import org.segspark.jobs.spark.Sparks;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;
import picocli.CommandLine;

import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;

@Command(name = "bench", mixinStandardHelpOptions = true, description = "Benchmarks that print figures.",
        subcommands = {BenchCommand.Train.class, BenchCommand.Models.class, BenchCommand.Preprocess.class,
                BenchCommand.Distributed.class, BenchCommand.Export.class})
public final class BenchCommand implements Runnable {
    @Override
    public void run() {
        throw new ParameterException(new CommandLine(this), "name a benchmark: segspark bench train --help");
    }

    @Command(name = "train", mixinStandardHelpOptions = true,
            footerHeading = "%nExample:%n", footer = {"  segspark bench train --model unet-mobilenetv2 --size 128x128 --batch 8 \\",
                    "      --workers 2"},
            modelTransformer = SettingOptions.FromSection.class,
            description = "Training and inference images/s of one model: DL4J single-process, DL4J under Spark "
                    + "parameter averaging on local[N], and the PyTorch reference, measured side by side.")
    public static final class Train implements Callable<Integer>, SectionCommand {
        @Override
        public SettingsSection section() {
            return TrainBenchmark.SECTION;
        }

        @Mixin
        CommonOptions common;

        @Spec
        CommandSpec spec;

        @Option(names = "--json", description = "Print one JSON object instead of a table")
        boolean json;


        @Override
        public Integer call() throws Exception {
            JobConfig cfg = JobConfig.of("bench").file(common.config).set(common.set)
                    .options(SettingOptions.given(TrainBenchmark.SECTION, spec)).load();
            var b = cfg.section("bench");
            int workers = TrainBenchmark.SECTION.read(b).get(TrainBenchmark.SPARK_WORKERS);
            JavaSparkContext jsc = null;
            if (workers > 0) {
                String master = common.master != null ? common.master : "local[" + workers + "]";
                jsc = Sparks.start(cfg.get(), master);
            }
            Map<String, Object> r = TrainBenchmark.run(b, jsc, Home.dir());
            if (json) {
                System.out.println(new ObjectMapper().writeValueAsString(r));
            } else {
                System.out.println(new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValueAsString(r));
                System.out.println(table(r));
            }
            return 0;
        }

        static String table(Map<String, Object> r) {
            StringBuilder sb = new StringBuilder();
            sb.append(String.format(Locale.ROOT, "%-34s %12s %12s%n", r.get("model") + " " + r.get("size") + "^2 batch "
                    + r.get("batch"), "train img/s", "infer img/s"));
            sb.append(MachineProbe.atStartAndEnd(r));
            sb.append(String.format(Locale.ROOT, "%-34s %12.2f %12.2f%n", "DL4J single process",
                    (Double) r.get("train_images_per_s"), (Double) r.get("infer_images_per_s")));
            if (r.containsKey("onnxruntime_infer_images_per_s")) {
                sb.append(String.format(Locale.ROOT, "%-34s %12s %12.2f%n", "ONNX Runtime (what predict serves)", "-",
                        (Double) r.get("onnxruntime_infer_images_per_s")));
            }
            if (r.containsKey("spark_train_images_per_s")) {
                sb.append(String.format(Locale.ROOT, "%-34s %12.2f %12s   (x%.2f of single)%n",
                        "DL4J Spark " + r.get("spark_master") + " param. avg.", (Double) r.get("spark_train_images_per_s"),
                        "-", (Double) r.get("ratio_spark_vs_single")));
            }
            if (r.containsKey("torch_train_images_per_s")) {
                sb.append(String.format(Locale.ROOT, "%-34s %12.2f %12.2f%n", "PyTorch reference",
                        (Double) r.get("torch_train_images_per_s"), (Double) r.get("torch_infer_images_per_s")));
                sb.append(String.format(Locale.ROOT, "%-34s %11.2fx %11.2fx%n", "segspark / PyTorch (infer: served)",
                        (Double) r.get("ratio_train_vs_torch"), (Double) r.get("ratio_infer_vs_torch")));
            } else {
                sb.append("PyTorch reference skipped: ").append(r.get("torch_skipped")).append('\n');
            }
            if (r.get("profile") instanceof Map<?, ?> p) {
                sb.append(String.format(Locale.ROOT, "%nTime per layer type: each layer run forward and backward on its own, in fresh "
                        + "memory (about 2x its cost inside the network);%nshare = of the %.0f ms all layers took this way; "
                        + "a whole training step took %.0f ms%n", (Double) p.get("attributed_ms"), (Double) p.get("step_ms")));
                sb.append(String.format(Locale.ROOT, "%-28s %6s %10s %10s %7s%n", "type", "layers", "forward", "backward", "share"));
                for (Object o : (List<?>) p.get("by_type")) {
                    Map<?, ?> t = (Map<?, ?>) o;
                    sb.append(String.format(Locale.ROOT, "%-28s %6d %10.1f %10.1f %6.1f%%%n", t.get("type"), (Integer) t.get("layers"),
                            (Double) t.get("forward_ms"), (Double) t.get("backward_ms"), 100 * (Double) t.get("share")));
                }
            }
            return sb.toString();
        }

    }

    @Command(name = "export", mixinStandardHelpOptions = true,
            footerHeading = "%nExample:%n", footer = "  segspark bench export --model unet-mobilenetv2 --size 128x128 --batch 8",
            modelTransformer = SettingOptions.FromSection.class,
            description = "Inference images/s of one network in DL4J, ONNX Runtime (its exported file) and PyTorch, taking "
                    + "turns in one run; with --search, a search run's network before and after pruning. conf/bench-export.conf.")
    public static final class Export implements Callable<Integer>, SectionCommand {
        @Override
        public SettingsSection section() {
            return ExportBenchmark.SECTION;
        }

        @Mixin
        CommonOptions common;

        @Spec
        CommandSpec spec;

        @Option(names = "--json", description = "Print one JSON object instead of a table")
        boolean json;

        @Override
        public Integer call() throws Exception {
            JobConfig cfg = JobConfig.of("bench-export").file(common.config).set(common.set)
                    .options(SettingOptions.given(ExportBenchmark.SECTION, spec)).load();
            Map<String, Object> r = ExportBenchmark.run(cfg.section("bench-export"), Home.dir(), System.err);
            System.out.println(json ? new ObjectMapper().writeValueAsString(r) : ExportBenchmark.table(r));
            return 0;
        }

    }

    @Command(name = "models", mixinStandardHelpOptions = true,
            footerHeading = "%nExample:%n", footer = "  segspark bench models --models mobilenet-v2,unet --size 128x128 --batch 4",
            modelTransformer = SettingOptions.FromSection.class,
            description = "Forward and training images/s of every registry model (or those named) at one input size, "
                    + "DL4J, ONNX Runtime and the PyTorch reference implementation taking turns of a few seconds, model after model.")
    public static final class Models implements Callable<Integer>, SectionCommand {
        @Override
        public SettingsSection section() {
            return ModelsBenchmark.SECTION;
        }

        @Mixin
        CommonOptions common;

        @Spec
        CommandSpec spec;

        @Option(names = "--json", description = "Print one JSON object instead of a table")
        boolean json;

        @Override
        public Integer call() throws Exception {
            JobConfig cfg = JobConfig.of("bench-models").file(common.config).set(common.set)
                    .options(SettingOptions.given(ModelsBenchmark.SECTION, spec)).load();
            Map<String, Object> r = ModelsBenchmark.run(cfg.section("bench-models"), Home.dir(), System.err);
            System.out.println(json ? new ObjectMapper().writeValueAsString(r) : ModelsBenchmark.table(r));
            return 0;
        }

    }

    @Command(name = "preprocess", mixinStandardHelpOptions = true,
            footerHeading = "%nExample:%n", footer = "  segspark bench preprocess --repeat 3",
            modelTransformer = SettingOptions.FromSection.class,
            description = "COCO preprocessing images/s per core: segspark's shard job on Spark local[1] and the Python "
                    + "peer (PIL + numpy) on the same files, in one run.")
    public static final class Preprocess implements Callable<Integer>, SectionCommand {
        @Override
        public SettingsSection section() {
            return PreprocessBenchmark.SECTION;
        }

        @Mixin
        CommonOptions common;

        @Spec
        CommandSpec spec;

        @Option(names = "--json", description = "Print one JSON object")
        boolean json;

        @Override
        public Integer call() throws Exception {
            JobConfig cfg = JobConfig.of("bench-preprocess").file(common.config).set(common.set)
                    .options(SettingOptions.given(PreprocessBenchmark.SECTION, spec)).load();
            JavaSparkContext jsc = Sparks.start(cfg.get(), common.master != null ? common.master : "local[1]");
            Map<String, Object> r = PreprocessBenchmark.run(cfg.section("bench-preprocess"), jsc, Home.dir(), System.err);
            if (json) {
                System.out.println(new ObjectMapper().writeValueAsString(r));
            } else {
                System.out.println(new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValueAsString(r));
                if (r.containsKey("ratio_vs_peer")) {
                    System.out.printf(Locale.ROOT, "segspark %.1f images/s per core (%.1f decoding JPEGs at full size), "
                                    + "Python peer %.1f: %.2fx (%.2fx)%n",
                            (Double) r.get("segspark_images_per_s_per_core"),
                            (Double) r.get("segspark_full_decode_images_per_s_per_core"),
                            (Double) r.get("peer_images_per_s_one_core"), (Double) r.get("ratio_vs_peer"),
                            (Double) r.get("full_decode_ratio_vs_peer"));
                }
            }
            return 0;
        }

    }

    @Command(name = "distributed", mixinStandardHelpOptions = true,
            footerHeading = "%nExample:%n", footer = "  segspark bench distributed --modes local,gradient-sharing --no-cluster",
            description = "The demo task trained once per mode (local, parameter averaging, gradient sharing) on the "
                    + "same shards and epochs: images/s, validation mIoU, bytes per step. Settings in conf/demo.conf.")
    public static final class Distributed implements Callable<Integer> {
        @Mixin
        CommonOptions common;

        @Option(names = "--out", paramLabel = "DIR", defaultValue = "bench-distributed", description = "Work folder (default ${DEFAULT-VALUE})")
        String out;

        @Option(names = "--modes", paramLabel = "M", split = ",", defaultValue = "local,parameter-averaging,gradient-sharing",
                description = "Modes to train, in order (default ${DEFAULT-VALUE})")
        List<String> modes;

        @Option(names = "--cluster-modes", paramLabel = "M", split = ",",
                defaultValue = "parameter-averaging,gradient-sharing",
                description = "Modes then submitted to a standalone cluster started from the build's jars "
                        + "(default ${DEFAULT-VALUE})")
        List<String> clusterModes;

        @Option(names = "--cluster-workers", paramLabel = "N", split = ",", defaultValue = "2",
                description = "Sizes of the standalone clusters, one-core workers each; every cluster mode runs on each "
                        + "(default ${DEFAULT-VALUE})")
        List<Integer> clusterWorkers;

        @Option(names = "--no-cluster", description = "Skip the standalone cluster runs")
        boolean noCluster;

        @Option(names = "--epochs", paramLabel = "E", description = "Epochs per mode (default: the demo's)")
        Integer epochs;

        @Option(names = "--json", description = "One JSON object instead of the table")
        boolean json;

        @Override
        public Integer call() throws Exception {
            JobConfig cfg = JobConfig.of("demo", "synth-coco", "preprocess-coco", "train").file(common.config)
                    .set(common.set).option("train.epochs", epochs).load();
            JavaSparkContext jsc = Sparks.start(cfg.get(), common.master != null ? common.master : "local[2]");
            List<String> cluster = noCluster ? List.of() : clusterModes;
            // --modes "" trains on the cluster only
            List<String> local = modes.stream().filter(m -> !m.isBlank()).toList();
            Map<String, Object> r = DistributedBenchmark.run(jsc, cfg,
                    Path.of(out).toAbsolutePath(), local, cluster, clusterWorkers,
                    cluster.isEmpty() ? List.of() : ClusterCommand.sparkJars(), System.err);
            if (json) {
                System.out.println(new ObjectMapper().writeValueAsString(r));
                return 0;
            }
            System.out.println(new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValueAsString(r));
            System.out.printf(Locale.ROOT, "%-20s %-28s %6s %11s %9s %8s %8s %8s %14s %s%n", "mode", "master", "epochs",
                    "train img/s", "val mIoU", "wall s", "compute", "other", "exchange s/step", "peak RSS MB by JVM");
            for (Object o : (List<?>) r.get("modes")) {
                Map<?, ?> m = (Map<?, ?>) o;
                String master = String.valueOf(m.get("master"));
                System.out.printf(Locale.ROOT, "%-20s %-28s %6d %11.1f %9.4f %8.0f %7.0f%% %7.0f%% %14s %s%n", m.get("mode"),
                        master.substring(0, Math.min(28, master.length())), m.get("epochs"),
                        (Double) m.get("train_images_per_s"), (Double) m.get("val_miou"), (Double) m.get("wall_seconds"),
                        100 * (Double) m.get("compute_share"), 100 * (Double) m.get("other_share"),
                        m.containsKey("exchange_seconds_per_step")
                                ? String.format(Locale.ROOT, "%.3f", (Double) m.get("exchange_seconds_per_step")) : "-",
                        peakMegabytes((Map<?, ?>) m.get("peak_rss_bytes")));
            }
            return 0;
        }

        private static String peakMegabytes(Map<?, ?> peaks) {
            StringBuilder b = new StringBuilder();
            peaks.forEach((jvm, bytes) -> b.append(b.isEmpty() ? "" : ", ").append(jvm).append(' ')
                    .append(((Number) bytes).longValue() >> 20));
            return b.isEmpty() ? "-" : b.toString();
        }
    }
}
