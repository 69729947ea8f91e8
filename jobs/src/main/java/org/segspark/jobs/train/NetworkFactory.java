package org.segspark.jobs.train;

import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.Path;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.learning.config.Adam;
import org.nd4j.linalg.learning.config.IUpdater;
import org.nd4j.linalg.learning.config.Nesterovs;
import org.nd4j.linalg.schedule.ISchedule;
import org.segspark.core.Task;
import org.segspark.core.config.Setting;
import org.segspark.core.io.HadoopFiles;
import org.segspark.core.shards.ShardManifest;
import org.segspark.core.text.Figures;
import org.segspark.jobs.run.RunDirectory;
import org.segspark.models.ModelConfig;
import org.segspark.models.ModelOption;
import org.segspark.models.ModelSpec;
import org.segspark.models.registry.ModelRegistry;
import org.segspark.models.weights.ClassWeightedLoss;
import org.segspark.models.weights.KerasWeights;
import org.segspark.models.weights.WeightTransfer;

import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.EnumSet;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * The network a run trains: the registry model at the shards' size and classes with the configured
 * options, its updater, pretrained encoder weights or a saved network's weights, and class weights
 * in its loss.
 */
final class NetworkFactory {
    private final TrainConfig cfg;
    private final Configuration hconf;
    private final PrintStream console;

    NetworkFactory(TrainConfig cfg, Configuration hconf, PrintStream console) {
        this.cfg = cfg;
        this.hconf = hconf;
        this.console = console;
    }

    /** The model's task must be the shards' and, when given, the configured one. */
    void checkTask(ModelSpec spec, ShardManifest m) {
        if (cfg.task() != null && cfg.task() != spec.task()) {
            throw new IllegalArgumentException("--task " + cfg.task().id() + " but model " + cfg.model() + " is a "
                    + spec.task().id() + " model; " + spec.task().id() + " models: " + ModelRegistry.names(spec.task()));
        }
        if (!spec.task().id().equals(m.task())) {
            throw new IllegalArgumentException("model " + cfg.model() + " is for " + spec.task().id() + " but the shards at "
                    + cfg.data() + " are for " + m.task());
        }
    }

    /** cuda needs the CUDA backend on the classpath (the jar built with -Pcuda); cpu needs the CPU one. */
    static void checkDevice(TrainConfig.Device device) {
        String backend = Nd4j.getBackend().getClass().getSimpleName();
        boolean cuda = backend.toLowerCase(Locale.ROOT).contains("cu");
        if (device == TrainConfig.Device.CUDA && !cuda) {
            throw new IllegalArgumentException("device cuda asked for, but ND4J runs on " + backend
                    + "; build with ./mvnw -Pcuda package and give each executor a GPU (conf/cluster-gpu.conf)");
        }
        if (device == TrainConfig.Device.CPU && cuda) {
            throw new IllegalArgumentException("device cpu asked for, but ND4J runs on " + backend);
        }
    }

    /** The registry model's defaults, at the shards' size and classes, with the configured options. */
    ModelConfig modelConfig(ModelSpec spec, ShardManifest m) {
        int classes = m.numClasses();
        if (cfg.classes() > 0) {
            if (cfg.classes() < classes) {
                throw new IllegalArgumentException("classes = " + cfg.classes() + " but the shard set " + cfg.data()
                        + " has " + classes + " classes");
            }
            classes = cfg.classes();
        }
        spec.requireOptions(givenOptions());
        ModelConfig c = spec.defaults().withClasses(classes).withInput(m.tensor().height(), m.tensor().width())
                .withChannels(m.tensor().channels()).withWidthMultiplier(cfg.widthMultiplier()).withSeed(cfg.seed());
        if (cfg.get(TrainConfig.PRETRAINED) != null && c.channels() != 3) {
            throw new IllegalArgumentException("model-options.pretrained: Keras Applications weights take RGB input, but "
                    + "the shard set " + cfg.data() + " has " + c.channels() + " channel(s) per pixel");
        }
        if (cfg.get(TrainConfig.OUTPUT_STRIDE) != null) {
            c = c.withOutputStride(cfg.get(TrainConfig.OUTPUT_STRIDE));
        }
        if (cfg.get(TrainConfig.PADDING) != null) {
            c = c.withPadding(cfg.get(TrainConfig.PADDING).id());
        }
        if (cfg.get(TrainConfig.HEAD) != null) {
            c = c.withHead(cfg.get(TrainConfig.HEAD).id());
        }
        if (cfg.get(TrainConfig.FREEZE_ENCODER) != null) {
            c = c.withFreezeEncoder(cfg.get(TrainConfig.FREEZE_ENCODER));
        }
        String architecture = cfg.get(TrainConfig.ARCHITECTURE);
        if (architecture != null) {
            try {
                c = c.withArchitecture(architectureJson(architecture, hconf));
            } catch (IOException e) {
                throw new UncheckedIOException("cannot read model-options.architecture " + architecture, e);
            }
        }
        if (spec.task() == Task.SEGMENTATION && c.outputChannels() == 1 && classes != 2) {
            throw new IllegalArgumentException(cfg.model() + " with a sigmoid head is binary (class 0 background, 1 "
                    + "foreground) but the shard set has " + classes + " classes; use model-options.head = softmax");
        }
        return c;
    }

    /** The model options this run sets (a width multiplier other than 1 counts as set). */
    Set<ModelOption> givenOptions() {
        Set<ModelOption> given = EnumSet.noneOf(ModelOption.class);
        if (cfg.widthMultiplier() != 1.0) {
            given.add(ModelOption.WIDTH_MULTIPLIER);
        }
        Map<ModelOption, Setting<?>> settings = Map.of(ModelOption.OUTPUT_STRIDE, TrainConfig.OUTPUT_STRIDE,
                ModelOption.PADDING, TrainConfig.PADDING, ModelOption.HEAD, TrainConfig.HEAD,
                ModelOption.FREEZE_ENCODER, TrainConfig.FREEZE_ENCODER, ModelOption.PRETRAINED, TrainConfig.PRETRAINED,
                ModelOption.ARCHITECTURE, TrainConfig.ARCHITECTURE);
        settings.forEach((option, setting) -> {
            if (cfg.get(setting) != null) {
                given.add(option);
            }
        });
        return given;
    }

    /**
     * A new network: the model built with the updater at {@code lrFactor} times the learning rate,
     * then pretrained or saved weights, then class weights.
     */
    ComputationGraph build(ModelConfig modelConfig, ShardManifest m, double lrFactor, String strategy, int workers)
            throws IOException {
        if (lrFactor != 1.0) {
            console.printf(Locale.ROOT, "learning rate %s x %s = %s (optimizer.lr-scaling %s, %s over %d workers)%n",
                    Figures.of(cfg.optimizer().lr()), Figures.of(lrFactor), Figures.of(cfg.optimizer().lr() * lrFactor),
                    cfg.optimizer().lrScaling().id(), strategy, workers);
        }
        ComputationGraph net = ModelRegistry.build(cfg.model(), modelConfig, base(lrFactor));
        if (cfg.get(TrainConfig.PRETRAINED) != null) {
            loadPretrained(net, cfg.get(TrainConfig.PRETRAINED));
        }
        if (cfg.get(TrainConfig.INIT_FROM) != null) {
            initFrom(net, cfg.get(TrainConfig.INIT_FROM));
        }
        double[] classWeights = cfg.classWeights().resolve(m, modelConfig.classes());
        if (classWeights != null) {
            ClassWeightedLoss.apply(net, classWeights);
            console.printf(Locale.ROOT, "class weights (%s): %s%n", cfg.classWeights().mode(), weightsText(classWeights));
        }
        return net;
    }

    NeuralNetConfiguration.Builder base(double lrFactor) {
        TrainConfig.Optimizer o = cfg.optimizer().withLr(cfg.optimizer().lr() * lrFactor);
        boolean scheduled = o.schedule() != TrainConfig.Schedule.CONSTANT || o.warmupEpochs() > 0;
        if (scheduled && cfg.dl4jSharing()) {
            throw new IllegalArgumentException("optimizer.schedule " + o.schedule().id() + " (warm-up " + o.warmupEpochs()
                    + ") needs segspark's exchange (gradient-sharing.exchange = sync), parameter averaging or local "
                    + "mode: DL4J's gradient-sharing workers keep the first epoch's configuration");
        }
        ISchedule lr = scheduled ? o.scheduleOver(cfg.epochs()) : null;
        IUpdater updater = switch (o.name()) {
            case SGD -> lr == null ? new Nesterovs(o.lr(), o.momentum()) : new Nesterovs(lr, o.momentum());
            case ADAM, ADAMW -> lr == null ? new Adam(o.lr()) : new Adam(lr);
        };
        NeuralNetConfiguration.Builder b = ModelRegistry.defaultBase(cfg.seed()).updater(updater);
        if (o.weightDecay() > 0) {
            if (o.name() == TrainConfig.OptimizerName.ADAMW) {
                b.weightDecay(o.weightDecay(), true);
            } else {
                b.l2(o.weightDecay());
            }
        }
        return b;
    }

    /** The architecture option: JSON as given, or the text of the file it names. */
    static String architectureJson(String option, Configuration hconf) throws IOException {
        String s = option.strip();
        if (s.startsWith("{")) {
            return s;
        }
        return new String(HadoopFiles.readAll(HadoopFiles.path(s), hconf), StandardCharsets.UTF_8);
    }

    /** Keras weights by layer name; the driver reads them (HDF5 needs a local file) and training broadcasts them. */
    private void loadPretrained(ComputationGraph net, String location) throws IOException {
        Path p = HadoopFiles.path(location);
        java.nio.file.Path local;
        java.nio.file.Path copy = null;
        if (p.toUri().getScheme() == null || "file".equals(p.toUri().getScheme())) {
            local = java.nio.file.Path.of(p.toUri().getPath());
        } else {
            copy = Files.createTempFile("segspark-pretrained", ".h5");
            Files.write(copy, HadoopFiles.readAll(p, hconf));
            local = copy;
        }
        try {
            KerasWeights.Result r = KerasWeights.load(net, local);
            console.println("pretrained: " + r.describe(java.nio.file.Path.of(p.getName())));
        } finally {
            if (copy != null) {
                Files.deleteIfExists(copy);
            }
        }
    }

    /** A saved network's weights by layer name (a pruned network's into its fine-tuning or its next search). */
    private void initFrom(ComputationGraph net, String location) throws IOException {
        boolean zip = location.endsWith(".zip");
        Path p = HadoopFiles.path(location);
        RunDirectory dir = new RunDirectory(zip ? p.getParent().toString() : location, hconf);
        ComputationGraph from = dir.loadModel(zip ? p.getName() : RunDirectory.MODEL);
        WeightTransfer.Report r = WeightTransfer.copyByName(from, net, true);
        console.printf(Locale.ROOT, "init-from %s: %d parameter arrays copied, %d fresh%n", location, r.copied(), r.fresh());
    }

    private static String weightsText(double[] w) {
        StringBuilder b = new StringBuilder("[");
        for (int i = 0; i < w.length; i++) {
            b.append(i == 0 ? "" : ", ").append(String.format(Locale.ROOT, "%.3g", w[i]));
        }
        return b.append(']').toString();
    }
}
