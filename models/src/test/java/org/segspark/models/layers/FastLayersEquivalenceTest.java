package org.segspark.models.layers;

import org.deeplearning4j.nn.graph.ComputationGraph;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.api.MultiDataSet;
import org.segspark.models.ModelConfig;
import org.segspark.models.ModelRegistry;
import org.segspark.models.Task;
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

    static INDArray gradient(ComputationGraph net, MultiDataSet data, DataType type) {
        net.setInputs(data.getFeatures(0).castTo(type));
        net.setLabels(data.getLabels(0).castTo(type));
        net.computeGradientAndScore();
        return net.gradient().gradient().dup();
    }

    @Test
    void unetMobileNetV2FastAndPlainAgree() {
        String model = "unet-mobilenetv2";
        ModelConfig cfg = new ModelConfig(3, 64, 64, 1.0, 7);
        ComputationGraph fast = build(model, cfg, GraphAssembler.Implementation.FAST, DataType.FLOAT);
        ComputationGraph plain = build(model, cfg, GraphAssembler.Implementation.PLAIN, DataType.FLOAT);
        ComputationGraph exact = build(model, cfg, GraphAssembler.Implementation.PLAIN, DataType.DOUBLE);
        assertEquals(plain.numParams(), fast.numParams());
        plain.setParams(fast.params().dup());
        exact.setParams(fast.params().castTo(DataType.DOUBLE));
        MultiDataSet data = SingleProcessBenchmark.randomBatch(Task.SEGMENTATION, 3, 2, 64, 3);
        INDArray x = data.getFeatures(0);

        for (boolean train : new boolean[] {false, true}) {
            INDArray ref = exact.output(train, x.castTo(DataType.DOUBLE))[0];
            double f = relDiff(fast.output(train, x)[0], ref), p = relDiff(plain.output(train, x)[0], ref);
            assertTrue(f < 1e-4 && p < 1e-4, (train ? "training" : "inference") + "-mode outputs: fast " + f + ", plain " + p);
        }

        INDArray gExact = gradient(exact, data, DataType.DOUBLE);
        INDArray gFast = gradient(fast, data, DataType.FLOAT);
        INDArray gPlain = gradient(plain, data, DataType.FLOAT);
        assertEquals(exact.score(), fast.score(), 1e-4 * Math.abs(exact.score()));
        double ef = relDiff(gFast, gExact), ep = relDiff(gPlain, gExact);
        System.out.printf("gradient error vs float64: fast %.2e, plain %.2e%n", ef, ep);
        assertTrue(ef <= Math.max(1.5 * ep, 1e-4), "gradient error vs float64: fast " + ef + ", plain " + ep);
        assertTrue(ef < 0.05, "gradient error vs float64: fast " + ef);

        MultiDataSet exactData = new org.nd4j.linalg.dataset.MultiDataSet(x.castTo(DataType.DOUBLE),
                data.getLabels(0).castTo(DataType.DOUBLE));
        for (int i = 0; i < 3; i++) {
            fast.fit(data);
            plain.fit(data);
            exact.fit(exactData);
        }
        double pf = relDiff(fast.params(), exact.params()), pp = relDiff(plain.params(), exact.params());
        assertTrue(pf <= Math.max(1.5 * pp, 1e-6), "parameters and running statistics after 3 SGD steps: fast " + pf
                + ", plain " + pp);
    }
}
