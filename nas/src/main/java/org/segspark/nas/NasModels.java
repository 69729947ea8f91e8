package org.segspark.nas;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.graph.GraphVertex;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.segspark.core.Task;
import org.segspark.core.json.Json;
import org.segspark.models.EpochLog;
import org.segspark.models.ModelConfig;
import org.segspark.models.ModelOption;
import org.segspark.models.ModelProvider;
import org.segspark.models.ModelSpec;
import org.segspark.models.ReferenceFigures;
import org.segspark.models.RunHooks;
import org.segspark.models.graph.GraphAssembler;
import org.segspark.nas.architecture.NasArchitecture;
import org.segspark.nas.architecture.NasLayout;
import org.segspark.nas.architecture.NasSettings;
import org.segspark.nas.architecture.SizeObjective;
import org.segspark.nas.graph.NasGraph;
import org.segspark.nas.layers.GaussianDepthVertex;
import org.segspark.nas.layers.LearnableChannelGate;
import org.segspark.nas.size.GraphParams;
import org.segspark.nas.size.SizeLossVertex;
import org.segspark.nas.size.TiedParameters;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The searchable networks in the model registry: {@code nas-unet} (network2d) and
 * {@code nas-classifier} (the cell2d test). {@link ModelConfig#architecture()} holds either search
 * settings (the keys of {@link #SETTINGS}, defaults below) or a saved definition (a pruned
 * network's architecture.json, searched again or trained plain).
 */
public final class NasModels implements ModelProvider {
    /** The settings a nas model takes (HOCON train.model-options.architecture, or JSON): {@link NasSettings}. */
    public static final Set<String> SETTINGS = NasSettings.KEYS;

    /** The size loss segspark searches with by default: it shrinks the networks on our tasks (docs/NAS.md). */
    public static final SizeObjective DEFAULT_SEGMENTATION = new SizeObjective(0.5, 0.25, "l1");
    /** The seed's segmentation loss: k = 1e-4, MSE toward 0.01 (hardly moves the size in a short search). */
    public static final SizeObjective SEED_SEGMENTATION = new SizeObjective(1e-4, 0.01, "mse", SizeObjective.RELAXED);
    /** The seed's cell2d classification test: CE + 0.01 * relaxed size / full size. */
    public static final SizeObjective SEED_CLASSIFICATION = new SizeObjective(0.01, 0, "linear", SizeObjective.RELAXED);
    /** Per-image cross-entropy has no pixel sum to lift the size term: the classifier needs a larger k. */
    public static final SizeObjective DEFAULT_CLASSIFICATION = new SizeObjective(10, 0.25, "l1");

    private static final ObjectMapper JSON = new ObjectMapper();

    /** The layer classes moved into sub-packages after networks had been saved with them. */
    @Override
    public Map<String, Class<?>> renamedClasses() {
        return Map.of("org.segspark.nas.GaussianDepthVertex", GaussianDepthVertex.class,
                "org.segspark.nas.LearnableChannelGate", LearnableChannelGate.class,
                "org.segspark.nas.SizeLossVertex", SizeLossVertex.class);
    }

    @Override
    public List<ModelSpec> models() {
        return List.of(
                new ModelSpec("nas-unet", Task.SEGMENTATION,
                        "searchable U-Net of cells (network2d): learns channels, conv depth per cell and U-Net depth "
                                + "(4 levels, 64 channels x1.5 per level, 2 steps, depths 2..4); prune with segspark nas prune",
                        "design A (network2d, 2021); figures: the search network (gates, depths and the decoder copies of "
                                + "depths 2 and 3 included), closed-form count",
                        new ModelConfig(4, 480, 512, 1.0, 42),
                        new ReferenceFigures(UNET_PARAMS, UNET_MACS, "closed-form count (NasModelsTest) of the search network at 480x512"),
                        (cfg, base, impl) -> build(NasArchitecture.UNET, cfg, base, impl), NasModels::initialize,
                        hooks(NasArchitecture.UNET)).withOptions(ModelOption.ARCHITECTURE),
                new ModelSpec("nas-classifier", Task.CLASSIFICATION,
                        "searchable classifier of cells (cell2d test): 3 cells of 16/32/64 channels, 2 steps, FC head",
                        "design A (cell2d CIFAR-10 test, 2021); figures: the search network (gates and depths included), closed-form count",
                        new ModelConfig(10, 32, 32, 1.0, 42),
                        new ReferenceFigures(CLASSIFIER_PARAMS, CLASSIFIER_MACS, "closed-form count (NasModelsTest) of the search network at 32x32"),
                        (cfg, base, impl) -> build(NasArchitecture.CLASSIFIER, cfg, base, impl), NasModels::initialize,
                        hooks(NasArchitecture.CLASSIFIER)).withOptions(ModelOption.ARCHITECTURE));
    }

    /**
     * A search run's log, and in model.json the architecture the network was built from: what nas
     * prune, predict and a re-search read.
     */
    private static RunHooks hooks(String kind) {
        return new RunHooks() {
            @Override
            public EpochLog<?> epochLog() {
                return new SearchLog();
            }

            @Override
            public Map<String, Object> describe(ModelConfig config) {
                try {
                    return Map.of("architecture", Json.tree(architecture(kind, config).toJson()));
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            }
        };
    }

    static final long UNET_PARAMS = 4_220_215L;
    static final long UNET_MACS = 218_339_328_000L;
    static final long CLASSIFIER_PARAMS = 127_501L;
    static final long CLASSIFIER_MACS = 17_744_512L;

    static ComputationGraphConfiguration build(String kind, ModelConfig cfg, NeuralNetConfiguration.Builder base,
                                               GraphAssembler.Implementation impl) {
        NasArchitecture a = architecture(kind, cfg);
        return NasGraph.build(a, cfg.height(), cfg.width(), base, impl);
    }

    /** The architecture a model configuration asks for: its saved definition, or the default with its settings. */
    public static NasArchitecture architecture(String kind, ModelConfig cfg) {
        JsonNode n;
        try {
            n = cfg.architecture().isEmpty() ? JSON.createObjectNode() : JSON.readTree(cfg.architecture());
        } catch (IOException e) {
            throw new IllegalArgumentException("nas-" + kind + " architecture is not valid JSON: " + e.getMessage(), e);
        }
        if (NasArchitecture.isDefinition(n)) {
            NasArchitecture a = NasArchitecture.fromJson(n);
            if (!a.kind().equals(kind)) {
                throw new IllegalArgumentException("the architecture definition is a " + a.kind() + ", not for nas-" + kind);
            }
            if (a.inChannels() != cfg.channels()) {
                throw new IllegalArgumentException("the architecture definition takes " + a.inChannels()
                        + " input channel(s), the data has " + cfg.channels());
            }
            return a.withClasses(cfg.classes(), a.inChannels());
        }
        NasSettings settings = NasSettings.of(n);
        SizeObjective d = defaultObjective(kind);
        SizeObjective o = new SizeObjective(or(settings.k(), d.k()), or(settings.target(), d.target()), or(settings.f(), d.f()),
                or(settings.measure(), d.measure()));
        String variant = or(settings.variant(), NasArchitecture.GATE);
        int steps = or(settings.steps(), 2);
        NasArchitecture a;
        if (kind.equals(NasArchitecture.UNET)) {
            int baseChannels = or(settings.baseChannels(), (int) Math.max(1, Math.round(64 * cfg.widthMultiplier())));
            int max = or(settings.maxDepth(), 4);
            a = NasArchitecture.unet(cfg.channels(), cfg.classes(), baseChannels, or(settings.growth(), 1.5), steps,
                    or(settings.minDepth(), Math.min(2, max)), max, variant, o);
        } else {
            int[] ch = settings.channels() == null ? new int[] {16, 32, 64}
                    : settings.channels().stream().mapToInt(Integer::intValue).toArray();
            for (int i = 0; i < ch.length; i++) {
                ch[i] = (int) Math.max(1, Math.round(ch[i] * cfg.widthMultiplier()));
            }
            a = NasArchitecture.classifier(cfg.channels(), cfg.classes(), ch, steps, variant, o);
        }
        a = a.withArchLr(or(settings.archLr(), NasArchitecture.DEFAULT_ARCH_LR));
        return settings.mode() != null ? a.withMode(settings.mode()) : a;
    }

    private static <T> T or(T value, T otherwise) {
        return value != null ? value : otherwise;
    }

    static SizeObjective defaultObjective(String kind) {
        return kind.equals(NasArchitecture.UNET) ? DEFAULT_SEGMENTATION : DEFAULT_CLASSIFICATION;
    }

    /** The architecture a built network was made from, when it is a search network (null otherwise). */
    public static NasArchitecture searchArchitecture(ComputationGraph net) {
        GraphVertex v = net.getConfiguration().getVertices().get(NasLayout.OBJECTIVE);
        return v instanceof SizeLossVertex s ? NasArchitecture.fromJson(s.getArchitecture()) : null;
    }

    /** Tied copies start equal: each takes its group's first member's values. */
    public static void initialize(ComputationGraph net) {
        NasArchitecture a = searchArchitecture(net);
        if (a == null) {
            return;
        }
        for (List<TiedParameters.Ref> group : TiedParameters.groups(a)) {
            INDArray first = GraphParams.param(net, group.get(0));
            for (int i = 1; i < group.size(); i++) {
                GraphParams.param(net, group.get(i)).assign(first);
            }
        }
    }
}
