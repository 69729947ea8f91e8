package org.segspark.nas;

import org.segspark.nas.layers.ChannelGateParams;
import org.segspark.nas.layers.GaussianDepthVertex;
import org.segspark.nas.layers.LearnableChannelGate;

import org.deeplearning4j.gradientcheck.GradientCheckUtil;
import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.conf.ConvolutionMode;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.CnnLossLayer;
import org.deeplearning4j.nn.conf.layers.ConvolutionLayer;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.weights.WeightInit;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.learning.config.NoOp;
import org.nd4j.linalg.lossfunctions.LossFunctions;

import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The relaxations' gradients against finite differences (float64), their hard (pruning) modes,
 * and their survival through a network's JSON. (Written as SameDiff layers first, both failed the
 * gradient check here: DL4J 1.0.0-M2.1 returned every SameDiff layer's and vertex's gradients
 * twice too large, its parameters' and its input's alike.)
 */
class RelaxationLayersTest {

    /** input -> c1 -> c2 -> c3 (3 chained convs), depth-mixed, [gated], -> 1x1 conv to 2 classes -> softmax loss. */
    static ComputationGraph cell(double depth, boolean hardDepth, boolean gate, boolean hardGate) {
        ComputationGraphConfiguration.GraphBuilder g = new NeuralNetConfiguration.Builder().seed(3)
                .dataType(DataType.DOUBLE).updater(new NoOp()).weightInit(WeightInit.XAVIER)
                .convolutionMode(ConvolutionMode.Same).graphBuilder().addInputs("in")
                .setInputTypes(InputType.convolutional(5, 5, 2));
        g.addLayer("c1", new ConvolutionLayer.Builder(3, 3).nIn(2).nOut(3).activation(Activation.TANH).build(), "in");
        g.addLayer("c2", new ConvolutionLayer.Builder(3, 3).nIn(3).nOut(3).activation(Activation.TANH).build(), "c1");
        g.addLayer("c3", new ConvolutionLayer.Builder(3, 3).nIn(3).nOut(3).activation(Activation.TANH).build(), "c2");
        g.addVertex("mix", new GaussianDepthVertex(3, depth, hardDepth), "c1", "c2", "c3");
        String last = "mix";
        if (gate) {
            LearnableChannelGate lg = new LearnableChannelGate(3, hardGate);
            g.addLayer("gate", lg, "mix");
            last = "gate";
        }
        g.addLayer("head", new ConvolutionLayer.Builder(1, 1).nIn(3).nOut(2).activation(Activation.IDENTITY).build(), last);
        g.addLayer("out", new CnnLossLayer.Builder(LossFunctions.LossFunction.MCXENT).activation(Activation.SOFTMAX).build(),
                "head");
        ComputationGraph net = new ComputationGraph(g.setOutputs("out").build());
        net.init();
        return net;
    }

    static INDArray[] data() {
        Nd4j.getRandom().setSeed(11);
        INDArray x = Nd4j.rand(DataType.DOUBLE, 2, 2, 5, 5).subi(0.5);
        INDArray y = Nd4j.zeros(DataType.DOUBLE, 2, 2, 5, 5);
        for (int n = 0; n < 2; n++) {
            for (int i = 0; i < 5; i++) {
                for (int j = 0; j < 5; j++) {
                    y.putScalar(new long[] {n, (i + j + n) % 2, i, j}, 1.0);
                }
            }
        }
        return new INDArray[] {x, y};
    }

    @Test
    void theDepthAndGateGradientsMatchFiniteDifferences() {
        DataType was = Nd4j.dataType();
        Nd4j.setDefaultDataTypes(DataType.DOUBLE, DataType.DOUBLE);
        try {
            checkGradients();
        } finally {
            Nd4j.setDefaultDataTypes(was, was);
        }
    }

    private void checkGradients() {
        ComputationGraph net = cell(2.3, false, true, false);
        // scores spread out around 0 so that the gates sit on the sigmoid's slope
        net.getParam("gate_" + ChannelGateParams.SCORE).assign(Nd4j.createFromArray(new double[][] {{0.3, -0.2, 0.05}}));
        INDArray[] d = data();
        boolean ok = GradientCheckUtil.checkGradients(new GradientCheckUtil.GraphConfig().net(net)
                .inputs(new INDArray[] {d[0]}).labels(new INDArray[] {d[1]}).epsilon(1e-6).maxRelError(1e-4)
                .minAbsoluteError(1e-9));
        assertTrue(ok, "analytic and numeric gradients agree (depth, gate scores, conv weights)");
        net.setInputs(d[0]);
        net.setLabels(d[1]);
        net.computeGradientAndScore();
        double depthGrad = net.getVertex("mix").getGradientsViewArray().getDouble(0);
        assertTrue(Math.abs(depthGrad) > 1e-6, "the depth is really learnt: gradient " + depthGrad);
    }

    @Test
    void theWeightsAreAGaussianAroundTheDepth() {
        double e = Math.exp(-1);
        assertArrayEquals(new double[] {e / (1 + 2 * e), 1 / (1 + 2 * e), e / (1 + 2 * e)},
                GaussianDepthVertex.weights(2.0, 3), 1e-12);
        assertEquals(1, GaussianDepthVertex.kept(0.2, 3));
        assertEquals(2, GaussianDepthVertex.kept(2.4, 3));
        assertEquals(3, GaussianDepthVertex.kept(7.0, 3));
        // the soft mixture, computed by the vertex, is the weighted sum of its inputs
        ComputationGraph net = cell(2.3, false, false, false);
        Map<String, INDArray> act = net.feedForward(data()[0], false);
        double[] w = GaussianDepthVertex.weights(2.3, 3);
        INDArray expected = act.get("c1").mul(w[0]).addi(act.get("c2").mul(w[1])).addi(act.get("c3").mul(w[2]));
        assertTrue(expected.equalsWithEps(act.get("mix"), 1e-12));
    }

    @Test
    void hardModesKeepWhatPruningKeeps() {
        ComputationGraph net = cell(2.3, true, true, true);
        net.getParam("gate_" + ChannelGateParams.SCORE).assign(Nd4j.createFromArray(new double[][] {{0.3, -0.2, 0.0}}));
        Map<String, INDArray> act = net.feedForward(data()[0], false);
        assertTrue(act.get("c2").equalsWithEps(act.get("mix"), 1e-15), "depth 2.3 keeps two convolutions");
        INDArray gated = act.get("gate");
        assertTrue(gated.get(org.nd4j.linalg.indexing.NDArrayIndex.all(), org.nd4j.linalg.indexing.NDArrayIndex.point(0))
                .equalsWithEps(act.get("mix").get(org.nd4j.linalg.indexing.NDArrayIndex.all(),
                        org.nd4j.linalg.indexing.NDArrayIndex.point(0)), 1e-15), "s > 0: kept as it is");
        assertEquals(0.0, gated.get(org.nd4j.linalg.indexing.NDArrayIndex.all(),
                org.nd4j.linalg.indexing.NDArrayIndex.interval(1, 3)).amaxNumber().doubleValue(), 0.0, "s <= 0: zero");
        assertTrue(LearnableChannelGate.kept(0.01) && !LearnableChannelGate.kept(0.0));
        assertEquals(0.5, LearnableChannelGate.gate(0.0), 1e-15);
    }

    @Test
    void aSearchNetworkSurvivesItsJson() {
        ComputationGraph net = cell(2.7, false, true, false);
        ComputationGraphConfiguration back = ComputationGraphConfiguration.fromJson(net.getConfiguration().toJson());
        assertEquals(net.getConfiguration(), back);
        ComputationGraph copy = new ComputationGraph(back);
        copy.init(net.params().dup(), false);
        INDArray x = data()[0];
        assertTrue(net.outputSingle(x).equalsWithEps(copy.outputSingle(x), 1e-12));
        assertEquals(2.7, copy.getVertex("mix").paramTable(false).get(GaussianDepthVertex.DEPTH).getDouble(0), 1e-12);
    }
}
