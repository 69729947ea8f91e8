package org.segspark.models;

import org.segspark.models.graph.GraphStats;
import org.segspark.models.layers.NativeSpeed;
import org.segspark.models.registry.ModelRegistry;

import org.segspark.core.Task;

import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.util.ModelSerializer;
import org.deeplearning4j.nn.api.Layer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.api.MultiDataSet;
import org.nd4j.linalg.factory.Nd4j;
import org.segspark.models.bench.SingleProcessBenchmark;
import org.segspark.models.graph.GraphAssembler;

import java.io.File;
import java.util.Map;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** One test per registry model: fidelity to its reference, and that it builds, trains and round-trips. */
public class ModelRegistryTest {
    static Stream<String> models() {
        return ModelRegistry.all().keySet().stream();
    }

    /** A small configuration for quick checks (the deepest models need multiples of 32). */
    public static ModelConfig small(ModelSpec spec) {
        int size = spec.name().equals("unet") ? 48 : 64;
        return spec.defaults().withInput(size, size).withClasses(Math.min(spec.defaults().classes(), 4));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("models")
    void countsMatchTheReferenceAtTheDefaultConfiguration(String name) {
        ModelSpec spec = ModelRegistry.get(name);
        ModelConfig cfg = spec.defaults();
        GraphStats s = GraphStats.of(ModelRegistry.configuration(name, cfg),
                InputType.convolutional(cfg.height(), cfg.width(), 3));
        assertEquals(spec.figures().trainableParams(), s.paramsTrainable(), name + " trainable parameters vs " + spec.reference());
        double macError = Math.abs(s.macs() - spec.figures().macs()) / (double) spec.figures().macs();
        assertTrue(macError < 0.01, name + " MACs " + s.macs() + " vs reference " + spec.figures().macs());
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("models")
    void buildsTrainsAndRoundTrips(String name, @TempDir File dir) throws Exception {
        ModelSpec spec = ModelRegistry.get(name);
        ModelConfig cfg = small(spec);
        ComputationGraph net = ModelRegistry.build(name, cfg);
        // four images: batch norm over the 1x1 image-pooling maps of DeepLab needs more than two values
        MultiDataSet data = SingleProcessBenchmark.randomBatch(spec.task(), cfg, 4, 3);

        INDArray out = net.output(false, data.getFeatures(0))[0];
        long[] expected = spec.task() == Task.CLASSIFICATION ? new long[] {4, cfg.classes()}
                : new long[] {4, cfg.outputChannels(), cfg.height(), cfg.width()};
        assertArrayEquals(expected, out.shape(), name + " output shape");

        // One gradient-descent step, short relative to the parameters, lowers the loss on the batch:
        // the backward pass points downhill. (Adam's first step moves every weight by the learning
        // rate whatever its gradient, which overshoots in layers with 25088 inputs such as FCN's fc6.)
        double before = score(net, data);
        Nd4j.getRandom().setSeed(11);
        net.setInputs(data.getFeatures());
        net.setLabels(data.getLabels());
        net.computeGradientAndScore();
        INDArray g = net.gradient().gradient();
        double step = 1e-4 * net.params().norm2Number().doubleValue() / g.norm2Number().doubleValue();
        net.params().subi(g.mul(step));
        double after = score(net, data);
        assertTrue(after < before, name + ": loss on a fixed batch " + before + " -> " + after);
        // and the network's own update runs and keeps the loss finite
        net.fit(data);
        assertTrue(Double.isFinite(score(net, data)), name + ": loss after a fit step");

        File file = new File(dir, name + ".zip");
        ModelSerializer.writeModel(net, file, false);
        ComputationGraph back = ModelSerializer.restoreComputationGraph(file, false);
        assertEquals(net.getConfiguration().toJson(), back.getConfiguration().toJson());
        assertEquals(net.output(false, data.getFeatures(0))[0], back.output(false, data.getFeatures(0))[0],
                name + ": outputs after save and load");
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("models")
    void greyInputChangesOnlyTheFirstConvolution(String name) {
        ModelSpec spec = ModelRegistry.get(name);
        ModelConfig rgb = small(spec), grey = rgb.withChannels(1);
        ComputationGraph colour = ModelRegistry.build(name, rgb), one = ModelRegistry.build(name, grey);
        List<String> differ = new ArrayList<>();
        for (Layer l : colour.getLayers()) {
            String layer = l.conf().getLayer().getLayerName();
            long a = l.numParams(), b = one.getLayer(layer).numParams();
            if (a != b) {
                differ.add(layer);
                // a convolution's weights are out x in x kh x kw: two of the three input planes go
                assertEquals(l.getParam("W").length() * 2 / 3, a - b, layer + ": " + a + " -> " + b + " parameters");
            }
        }
        assertEquals(1, differ.size(), name + ": the layers whose size changes with the input's channels " + differ);
        MultiDataSet data = SingleProcessBenchmark.randomBatch(spec.task(), grey, 4, 3);
        assertEquals(1, data.getFeatures(0).size(1));
        INDArray out = one.output(false, data.getFeatures(0))[0];
        assertEquals(data.getLabels(0).size(1), out.size(1), name + " output channels");
        one.fit(data);
        assertTrue(Double.isFinite(score(one, data)), name + ": loss after a fit step on grey input");
    }

    /**
     * Copies parameters layer by layer: the flattened vectors of two builds can order layers
     * differently (the stock build has extra activation vertices, which changes the topological sort).
     */
    public static void copyParams(ComputationGraph from, ComputationGraph to) {
        for (Layer l : from.getLayers()) {
            if (l.numParams() > 0) {
                to.getLayer(l.conf().getLayer().getLayerName()).setParams(l.params().dup());
            }
        }
    }

    /** The training-mode loss with a fixed random state, so dropout draws the same masks each time. */
    static double score(ComputationGraph net, MultiDataSet data) {
        Nd4j.getRandom().setSeed(11);
        return net.score(data, true);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("models")
    void fastAndPlainLayersComputeTheSameFunction(String name) {
        ModelSpec spec = ModelRegistry.get(name);
        ModelConfig cfg = small(spec);
        ComputationGraph fast = ModelRegistry.build(name, cfg, ModelRegistry.defaultBase(cfg.seed()),
                GraphAssembler.Implementation.FAST);
        ComputationGraph plain = ModelRegistry.build(name, cfg, ModelRegistry.defaultBase(cfg.seed()),
                GraphAssembler.Implementation.PLAIN);
        assertEquals(plain.numParams(), fast.numParams());
        copyParams(fast, plain);
        INDArray x = SingleProcessBenchmark.randomBatch(spec.task(), cfg, 2, 5).getFeatures(0);
        for (boolean train : new boolean[] {false, true}) {
            Nd4j.getRandom().setSeed(3);
            INDArray f = fast.output(train, x)[0];
            Nd4j.getRandom().setSeed(3);
            INDArray p = plain.output(train, x)[0];
            double err = f.sub(p).norm2Number().doubleValue() / Math.max(1e-12, p.norm2Number().doubleValue());
            assertTrue(err < 1e-4, name + (train ? " training" : " inference") + "-mode outputs differ by " + err);
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("models")
    void everyConvolutionAndBatchNormIsOnAFastPath(String name) {
        ModelSpec spec = ModelRegistry.get(name);
        ComputationGraph net = ModelRegistry.build(name, small(spec));
        Map<String, int[]> coverage = NativeSpeed.coverage(net);
        assertTrue(coverage.containsKey("convolution"), name + " has convolutions");
        coverage.forEach((kind, c) -> assertEquals(c[0], c[1], name + " " + kind + ": " + c[1] + " of " + c[0] + " fast"));
    }

    /** DL4J lists a builder's weight decay twice on each weight (and applies both); the registry keeps one. */
    @Test
    void aBuildersWeightDecayIsOnEachWeightOnce() {
        ModelSpec spec = ModelRegistry.get("mobilenet-v3-small");
        ComputationGraph net = ModelRegistry.build("mobilenet-v3-small", spec.defaults().withInput(32, 32),
                ModelRegistry.defaultBase(1).weightDecay(0.01, true));
        int weights = 0;
        for (Layer l : net.getLayers()) {
            if (l.paramTable().containsKey("W")) {
                weights++;
                assertEquals(1, l.getConfig().getRegularizationByParam("W").size(), l.getConfig().getLayerName()
                        + ": " + l.getConfig().getRegularizationByParam("W"));
            }
        }
        assertTrue(weights > 20, "weights checked: " + weights);
    }
}
