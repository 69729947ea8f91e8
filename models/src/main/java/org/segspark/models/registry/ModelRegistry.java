package org.segspark.models.registry;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import org.deeplearning4j.nn.conf.graph.GraphVertex;
import org.deeplearning4j.nn.conf.graph.LayerVertex;
import org.deeplearning4j.nn.conf.layers.BaseLayer;
import org.deeplearning4j.nn.conf.layers.Layer;
import org.deeplearning4j.nn.conf.layers.misc.FrozenLayerWithBackprop;
import org.nd4j.linalg.learning.regularization.Regularization;
import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;

import org.segspark.models.ModelConfig;
import org.segspark.models.ModelProvider;
import org.segspark.models.ModelSpec;
import org.segspark.models.ReferenceFigures;
import org.segspark.models.layers.NativeSpeed;

import org.segspark.core.Task;

import org.deeplearning4j.nn.conf.ConvolutionMode;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.WorkspaceMode;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.weights.WeightInit;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.learning.config.Adam;
import org.segspark.models.graph.GraphAssembler;
import org.segspark.models.zoo.DeepLabV3PlusMobileNetV2;
import org.segspark.models.zoo.Fcn;
import org.segspark.models.zoo.MobileNetV1;
import org.segspark.models.zoo.MobileNetV2;
import org.segspark.models.zoo.MobileNetV3;
import org.segspark.models.zoo.UNet;
import org.segspark.models.zoo.UNetMobileNetV2;
import org.segspark.models.zoo.UNetVgg16;
import org.segspark.models.zoo.Vgg16;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.ServiceLoader;

import static org.segspark.models.ModelOption.FREEZE_ENCODER;
import static org.segspark.models.ModelOption.HEAD;
import static org.segspark.models.ModelOption.OUTPUT_STRIDE;
import static org.segspark.models.ModelOption.PADDING;
import static org.segspark.models.ModelOption.PRETRAINED;
import static org.segspark.models.ModelOption.WIDTH_MULTIPLIER;

/**
 * The one place models are named. The CLI, the trainer, the tests and the search all build
 * networks through it, so a name always means the same architecture.
 */
public final class ModelRegistry {
    private static final Map<String, ModelSpec> MODELS = new LinkedHashMap<>();

    /** Where the figures were counted: bench/model_refs.py (PyTorch 1.13.1, torchvision 0.14.1), 2026-11-22. */
    private static final String REFS = "bench/model_refs.py";

    static {
        ModelConfig cls = new ModelConfig(10, 224, 224, 1.0, 42);
        register(new ModelSpec("mobilenet-v1", Task.CLASSIFICATION,
                "MobileNet v1: 13 depthwise-separable blocks, width multiplier alpha, resolution multiplier rho (input 224*rho)",
                "Keras Applications MobileNet (Howard et al. 2017); counted from its layer list (Keras' own 1000-class figure, "
                        + "4,231,976 trainable, is reproduced)",
                cls, new ReferenceFigures(3_217_226L, 567_726_592L, REFS + " MobileNetV1(10, 1.0) at 224"),
                MobileNetV1::build).withOptions(WIDTH_MULTIPLIER));
        register(new ModelSpec("mobilenet-v2", Task.CLASSIFICATION,
                "MobileNetV2: inverted residuals with linear bottlenecks, width multiplier alpha",
                "torchvision 0.14 mobilenet_v2 (Sandler et al. 2018)",
                cls, new ReferenceFigures(2_236_682L, 299_507_072L, REFS + " mobilenet_v2(num_classes=10) at 224"),
                MobileNetV2::build).withOptions(WIDTH_MULTIPLIER, FREEZE_ENCODER, PRETRAINED));
        register(new ModelSpec("mobilenet-v3-small", Task.CLASSIFICATION,
                "MobileNetV3-Small: hard-swish, squeeze-and-excite with hard-sigmoid gate",
                "torchvision 0.14 mobilenet_v3_small (Howard et al. 2019, Table 2)",
                cls, new ReferenceFigures(1_528_106L, 55_496_640L, REFS + " mobilenet_v3_small(num_classes=10) at 224"),
                MobileNetV3::small).withOptions(WIDTH_MULTIPLIER));
        register(new ModelSpec("mobilenet-v3-large", Task.CLASSIFICATION,
                "MobileNetV3-Large: hard-swish, squeeze-and-excite with hard-sigmoid gate",
                "torchvision 0.14 mobilenet_v3_large (Howard et al. 2019, Table 1)",
                cls, new ReferenceFigures(4_214_842L, 215_322_560L, REFS + " mobilenet_v3_large(num_classes=10) at 224"),
                MobileNetV3::large).withOptions(WIDTH_MULTIPLIER));
        register(new ModelSpec("vgg16", Task.CLASSIFICATION,
                "VGG16 (configuration D): 13 3x3 convolutions, two 4096 fully connected layers",
                "torchvision 0.14 vgg16 (Simonyan and Zisserman 2015)",
                cls, new ReferenceFigures(134_301_514L, 15_466_209_280L, REFS + " vgg16(num_classes=10) at 224"),
                Vgg16::build).withOptions(FREEZE_ENCODER, PRETRAINED));
        register(new ModelSpec("unet", Task.SEGMENTATION,
                "U-Net: 64..1024 channels, 2x2 up-convolutions, padding same (default) or valid (the paper's)",
                "Ronneberger et al. 2015 (the paper's description; PyTorch implementation in " + REFS + ")",
                new ModelConfig(2, 256, 256, 1.0, 42),
                new ReferenceFigures(31_031_810L, 48_171_581_440L, REFS + " UNet(2, padding=1) at 256"),
                UNet::build).withOptions(PADDING));
        register(new ModelSpec("unet-mobilenetv2", Task.SEGMENTATION,
                "U-Net with a MobileNetV2 encoder (pix2pix decoder: 512/256/128/64, 3x3 stride-2 transposed convs)",
                "bench/torch_ref.py UNetMobileNetV2 (PyTorch 1.13, torchvision 0.14 mobilenet_v2 features)",
                new ModelConfig(3, 128, 128, 1.0, 42),
                new ReferenceFigures(6_472_035L, 585_512_960L, "bench/torch_ref.py --size 128 --classes 3"),
                UNetMobileNetV2::build).withOptions(WIDTH_MULTIPLIER, FREEZE_ENCODER, PRETRAINED));
        register(new ModelSpec("unet-vgg16", Task.SEGMENTATION,
                "U-Net with a VGG16 encoder (design C): BN after pools 1-4, 4x4 transposed convs, dropout 0.3, "
                        + "sigmoid (binary) or softmax head; encoder frozen by default",
                "design C (Keras, 2021: ~23.1 M parameters, 8.4 M trainable); PyTorch implementation in " + REFS,
                new ModelConfig(2, 256, 256, 1.0, 42, 16, ModelConfig.SAME, ModelConfig.SIGMOID, true),
                new ReferenceFigures(8_391_537L, 26_622_296_064L, REFS + " UNetVGG16(1, frozen) at 256"),
                UNetVgg16::build).withOptions(HEAD, FREEZE_ENCODER, PRETRAINED));
        ModelConfig voc = new ModelConfig(21, 224, 224, 1.0, 42);
        register(new ModelSpec("fcn-32s", Task.SEGMENTATION,
                "FCN-32s: VGG16 with fc6/fc7 as convolutions, 32x fixed bilinear upsampling",
                "Long et al. 2015 (Caffe voc-fcn32s layer list; PyTorch implementation in " + REFS + ")",
                voc, new ReferenceFigures(134_346_581L, 21_296_701_440L, REFS + " FCN(21, 32) at 224"),
                Fcn::fcn32, Fcn::initialize).withOptions(FREEZE_ENCODER, PRETRAINED));
        register(new ModelSpec("fcn-16s", Task.SEGMENTATION,
                "FCN-16s: FCN-32s plus a learned 2x upsampling fused with the pool4 score",
                "Long et al. 2015 (Caffe voc-fcn16s layer list; PyTorch implementation in " + REFS + ")",
                voc, new ReferenceFigures(134_364_410L, 21_299_154_576L, REFS + " FCN(21, 16) at 224"),
                Fcn::fcn16, Fcn::initialize).withOptions(FREEZE_ENCODER, PRETRAINED));
        register(new ModelSpec("fcn-8s", Task.SEGMENTATION,
                "FCN-8s: FCN-16s plus a second learned 2x upsampling fused with the pool3 score",
                "Long et al. 2015 (Caffe voc-fcn8s layer list; PyTorch implementation in " + REFS + ")",
                voc, new ReferenceFigures(134_376_863L, 21_304_752_336L, REFS + " FCN(21, 8) at 224"),
                Fcn::fcn8, Fcn::initialize).withOptions(FREEZE_ENCODER, PRETRAINED));
        register(new ModelSpec("deeplabv3plus-mobilenetv2", Task.SEGMENTATION,
                "DeepLabV3+ on an atrous MobileNetV2: ASPP (rates 6/12/18), decoder with stride-4 features; output stride 16 or 8",
                "Chen et al. 2018 (the paper's description; PyTorch implementation in " + REFS + ")",
                new ModelConfig(21, 512, 512, 1.0, 42),
                new ReferenceFigures(5_816_053L, 26_310_950_912L, REFS + " DeepLabV3PlusMobileNetV2(21, 16) at 512"),
                DeepLabV3PlusMobileNetV2::build)
                .withOptions(WIDTH_MULTIPLIER, OUTPUT_STRIDE, FREEZE_ENCODER, PRETRAINED));
        for (ModelProvider provider : ServiceLoader.load(ModelProvider.class, ModelRegistry.class.getClassLoader())) {
            provider.models().forEach(ModelRegistry::register);
            RenamedClasses.register(provider.renamedClasses());
        }
    }

    /** Nothing to do but to have run the registry's initialisation: providers found, their renamed classes known. */
    static void ensureLoaded() {
    }

    private ModelRegistry() {
    }

    private static void register(ModelSpec spec) {
        if (MODELS.put(spec.name(), spec) != null) {
            throw new IllegalStateException("model " + spec.name() + " registered twice");
        }
    }

    public static Map<String, ModelSpec> all() {
        return Collections.unmodifiableMap(MODELS);
    }

    /** The names of the models for one task, in registry order. */
    public static List<String> names(Task task) {
        return MODELS.values().stream().filter(s -> s.task() == task).map(ModelSpec::name).toList();
    }

    public static ModelSpec get(String name) {
        ModelSpec spec = MODELS.get(name);
        if (spec == null) {
            throw new IllegalArgumentException("unknown model \"" + name + "\"; known models: "
                    + String.join(", ", MODELS.keySet()));
        }
        return spec;
    }

    /**
     * The training defaults every model starts from: float32, He initialisation, Adam 1e-3 and
     * workspaces on (off is up to 2x slower). Callers replace the updater and regularisation.
     */
    public static NeuralNetConfiguration.Builder defaultBase(long seed) {
        return new NeuralNetConfiguration.Builder()
                .seed(seed)
                .dataType(DataType.FLOAT)
                .weightInit(WeightInit.RELU)
                .updater(new Adam(1e-3))
                .convolutionMode(ConvolutionMode.Truncate)
                .trainingWorkspaceMode(WorkspaceMode.ENABLED)
                .inferenceWorkspaceMode(WorkspaceMode.ENABLED);
    }

    /** The graph configuration of a model without allocating its parameters (for counts and summaries). */
    public static ComputationGraphConfiguration configuration(String name, ModelConfig config) {
        return get(name).builder().build(config, defaultBase(config.seed()), GraphAssembler.Implementation.FAST);
    }

    /** Builds and initialises a network on segspark's fast layers. */
    public static ComputationGraph build(String name, ModelConfig config, NeuralNetConfiguration.Builder base) {
        return build(name, config, base, GraphAssembler.Implementation.FAST);
    }

    /** Builds and initialises a network; oneDNN helpers are enabled first so every stock layer gets them. */
    public static ComputationGraph build(String name, ModelConfig config, NeuralNetConfiguration.Builder base,
                                         GraphAssembler.Implementation impl) {
        NativeSpeed.enable();
        ModelSpec spec = get(name);
        ComputationGraph net = new ComputationGraph(oneOfEachRegularization(spec.builder().build(config, base, impl)));
        net.init();
        spec.initializer().accept(net);
        return net;
    }

    /**
     * DL4J 1.0.0-M2.1 copies a builder's weight decay onto every weight twice and applies both, so
     * {@code weightDecay(0.01, true)} decayed by 0.02 x lr a step; each layer keeps one of each.
     */
    static ComputationGraphConfiguration oneOfEachRegularization(ComputationGraphConfiguration conf) {
        for (GraphVertex v : conf.getVertices().values()) {
            if (v instanceof LayerVertex lv) {
                Layer l = lv.getLayerConf().getLayer();
                if (l instanceof FrozenLayerWithBackprop f) {
                    l = f.getUnderlying();
                }
                if (l instanceof BaseLayer b) {
                    b.setRegularization(distinct(b.getRegularization()));
                    b.setRegularizationBias(distinct(b.getRegularizationBias()));
                }
            }
        }
        return conf;
    }

    private static List<Regularization> distinct(List<Regularization> regs) {
        return regs == null ? null : new ArrayList<>(new LinkedHashSet<>(regs));
    }

    public static ComputationGraph build(String name, ModelConfig config) {
        return build(name, config, defaultBase(config.seed()));
    }
}
