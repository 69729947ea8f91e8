package org.segspark.models;

import org.deeplearning4j.nn.conf.ConvolutionMode;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.WorkspaceMode;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.weights.WeightInit;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.learning.config.Adam;
import org.segspark.models.graph.GraphAssembler;
import org.segspark.models.zoo.UNetMobileNetV2;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The one place models are named. The CLI, the trainer, the tests and the search all build
 * networks through it, so a name always means the same architecture.
 */
public final class ModelRegistry {
    private static final Map<String, ModelSpec> MODELS = new LinkedHashMap<>();

    static {
        register(new ModelSpec("unet-mobilenetv2", Task.SEGMENTATION,
                "U-Net with a MobileNetV2 encoder (pix2pix decoder: 512/256/128/64, 3x3 stride-2 transposed convs)",
                "bench/torch_ref.py UNetMobileNetV2 (PyTorch 1.13, torchvision 0.14 mobilenet_v2 features)",
                new ModelConfig(3, 128, 128, 1.0, 42),
                new ReferenceFigures(6_472_035L, 585_512_960L, "bench/torch_ref.py --size 128 --classes 3"),
                UNetMobileNetV2::build));
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

    /** Builds and initialises a network on segspark's fast layers. */
    public static ComputationGraph build(String name, ModelConfig config, NeuralNetConfiguration.Builder base) {
        return build(name, config, base, GraphAssembler.Implementation.FAST);
    }

    /** Builds and initialises a network; oneDNN helpers are enabled first so every stock layer gets them. */
    public static ComputationGraph build(String name, ModelConfig config, NeuralNetConfiguration.Builder base,
                                         GraphAssembler.Implementation impl) {
        NativeSpeed.enable();
        ComputationGraph net = new ComputationGraph(get(name).builder().build(config, base, impl));
        net.init();
        return net;
    }

    public static ComputationGraph build(String name, ModelConfig config) {
        return build(name, config, defaultBase(config.seed()));
    }
}
