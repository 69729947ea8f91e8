package org.segspark.models.layers;

import org.deeplearning4j.nn.graph.ComputationGraph;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.api.MultiDataSet;
import org.nd4j.linalg.factory.Nd4j;
import org.segspark.models.ModelConfig;
import org.segspark.models.registry.ModelRegistry;
import org.segspark.models.bench.SingleProcessBenchmark;
import org.segspark.models.graph.GraphAssembler;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * segspark's fast layers (direct oneDNN convolutions without forward recomputation, batch norm with
 * fused activation) compute the same outputs, loss, gradients and updates as DL4J's stock layers
 * on the same network and parameters. "The same" within float32 tolerance is judged against a
 * float64 run of the stock network: the fast path must be at least as close to it as the stock
 * float32 path is (gradients through ~50 batch norms differ by ~1% between any two float32
 * implementations).
 */
class FastLayersEquivalenceTest {
    static double relDiff(INDArray a, INDArray b) {
        INDArray bd = b.castTo(DataType.DOUBLE);
        return a.castTo(DataType.DOUBLE).sub(bd).norm2Number().doubleValue() / Math.max(1e-12, bd.norm2Number().doubleValue());
    }

    /** Small plain SGD steps (the loss is summed over pixels): Adam would turn float noise in near-zero gradients into full-size steps. */
    static ComputationGraph build(String model, ModelConfig cfg, GraphAssembler.Implementation impl, DataType type) {
        return ModelRegistry.build(model, cfg, ModelRegistry.defaultBase(cfg.seed()).dataType(type)
                .updater(new org.nd4j.linalg.learning.config.Sgd(1e-5)), impl);
    }

    /** Gradients by parameter name (two builds may flatten their parameters in different orders). */
    static java.util.Map<String, INDArray> gradient(ComputationGraph net, MultiDataSet data, DataType type) {
        Nd4j.getRandom().setSeed(19);
        net.setInputs(data.getFeatures(0).castTo(type));
        net.setLabels(data.getLabels(0).castTo(type));
        net.computeGradientAndScore();
        java.util.Map<String, INDArray> g = new java.util.TreeMap<>();
        net.gradient().gradientForVariable().forEach((k, v) -> g.put(k, v.castTo(DataType.DOUBLE).dup()));
        return g;
    }

    /** Relative distance between two sets of named arrays, over all of them. */
    static double relDiff(java.util.Map<String, INDArray> a, java.util.Map<String, INDArray> b) {
        double num = 0, den = 0;
        for (String k : b.keySet()) {
            num += Math.pow(a.get(k).sub(b.get(k)).norm2Number().doubleValue(), 2);
            den += Math.pow(b.get(k).norm2Number().doubleValue(), 2);
        }
        return Math.sqrt(num / den);
    }

    static java.util.Map<String, INDArray> params(ComputationGraph net) {
        java.util.Map<String, INDArray> p = new java.util.TreeMap<>();
        net.paramTable().forEach((k, v) -> p.put(k, v.castTo(DataType.DOUBLE).dup()));
        return p;
    }

    /** Three builds of one model with the same parameters: fast float32, stock float32, stock float64. */
    private record Builds(ComputationGraph fast, ComputationGraph plain, ComputationGraph exact, MultiDataSet data) {
        static Builds of(String model, long seed) {
            ModelConfig cfg = ModelRegistry.get(model).defaults().withInput(64, 64).withClasses(3).withSeed(seed);
            ComputationGraph fast = build(model, cfg, GraphAssembler.Implementation.FAST, DataType.FLOAT);
            ComputationGraph plain = build(model, cfg, GraphAssembler.Implementation.PLAIN, DataType.FLOAT);
            ComputationGraph exact = build(model, cfg, GraphAssembler.Implementation.PLAIN, DataType.DOUBLE);
            assertEquals(plain.numParams(), fast.numParams());
            org.segspark.models.ModelRegistryTest.copyParams(fast, plain);
            for (org.deeplearning4j.nn.api.Layer l : fast.getLayers()) {
                if (l.numParams() > 0) {
                    exact.getLayer(l.conf().getLayer().getLayerName()).setParams(l.params().castTo(DataType.DOUBLE));
                }
            }
            return new Builds(fast, plain, exact, SingleProcessBenchmark.randomBatch(ModelRegistry.get(model).task(), cfg, 4, 3));
        }

        /** The fast and the stock float32 gradients' distances from the float64 gradient. */
        double[] gradientErrors() {
            var gExact = gradient(exact, data, DataType.DOUBLE);
            var gFast = gradient(fast, data, DataType.FLOAT);
            var gPlain = gradient(plain, data, DataType.FLOAT);
            assertEquals(exact.score(), fast.score(), 1e-4 * Math.abs(exact.score()));
            return new double[] {relDiff(gFast, gExact), relDiff(gPlain, gExact)};
        }
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"unet-mobilenetv2", "mobilenet-v3-small", "deeplabv3plus-mobilenetv2"})
    void fastAndPlainAgree(String model) {
        Builds b = Builds.of(model, 7);
        ComputationGraph fast = b.fast(), plain = b.plain(), exact = b.exact();
        MultiDataSet data = b.data();
        INDArray x = data.getFeatures(0);

        for (boolean train : new boolean[] {false, true}) {
            // the same random state for each run, so dropout layers draw the same masks
            Nd4j.getRandom().setSeed(17);
            INDArray ref = exact.output(train, x.castTo(DataType.DOUBLE))[0];
            Nd4j.getRandom().setSeed(17);
            INDArray fo = fast.output(train, x)[0];
            Nd4j.getRandom().setSeed(17);
            INDArray po = plain.output(train, x)[0];
            double f = relDiff(fo, ref), p = relDiff(po, ref);
            assertTrue(f < 1e-4 && p < 1e-4, (train ? "training" : "inference") + "-mode outputs: fast " + f + ", plain " + p);
        }

        // Float32 rounding is amplified through batch norms over a batch of 4, by a factor that
        // depends on the draw: on DeepLabV3+ one seed gave the fast path 2.2x the stock path's
        // error and three others 0.4-0.8x. One draw cannot rank two float32 implementations, so
        // the errors are summed over three.
        double ef = 0, ep = 0;
        for (long seed : new long[] {7, 8, 9}) {
            double[] e = (seed == 7 ? b : Builds.of(model, seed)).gradientErrors();
            System.out.printf("%s seed %d gradient error vs float64: fast %.2e, plain %.2e%n", model, seed, e[0], e[1]);
            assertTrue(e[0] < 0.05, "gradient error vs float64, seed " + seed + ": fast " + e[0]);
            ef += e[0];
            ep += e[1];
        }
        assertTrue(ef <= Math.max(1.5 * ep, 3e-4), "gradient error vs float64 over three seeds: fast " + ef + ", plain " + ep);

        MultiDataSet exactData = new org.nd4j.linalg.dataset.MultiDataSet(x.castTo(DataType.DOUBLE),
                data.getLabels(0).castTo(DataType.DOUBLE));
        for (int i = 0; i < 3; i++) {
            Nd4j.getRandom().setSeed(23 + i);
            fast.fit(data);
            Nd4j.getRandom().setSeed(23 + i);
            plain.fit(data);
            Nd4j.getRandom().setSeed(23 + i);
            exact.fit(exactData);
        }
        double pf = relDiff(params(fast), params(exact)), pp = relDiff(params(plain), params(exact));
        assertTrue(pf <= Math.max(1.5 * pp, 1e-6), "parameters and running statistics after 3 SGD steps: fast " + pf
                + ", plain " + pp);
    }
}
