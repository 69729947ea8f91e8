package org.segspark.models.layers;

import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.gradient.Gradient;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.graph.vertex.GraphVertex;
import org.deeplearning4j.nn.graph.vertex.impl.LayerVertex;
import org.deeplearning4j.nn.workspace.LayerWorkspaceMgr;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.EnumSource;
import org.nd4j.common.primitives.Pair;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.shade.jackson.databind.JsonNode;
import org.nd4j.shade.jackson.databind.ObjectMapper;
import org.segspark.models.registry.ModelRegistry;
import org.segspark.models.graph.GraphAssembler;

import java.io.InputStream;
import java.util.function.BiFunction;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * segspark's layers against fixed tensors written by PyTorch (bench/make_fixtures.py): dilated
 * convolutions (regular and depthwise), bilinear upsampling, hard-swish and the squeeze-and-excite
 * gate; outputs and the gradients of every input and parameter.
 */
class LayerFidelityTest {
    static JsonNode fixture(String name) throws Exception {
        try (InputStream in = LayerFidelityTest.class.getResourceAsStream("/fixtures/" + name)) {
            return new ObjectMapper().readTree(in);
        }
    }

    static INDArray array(JsonNode f, String key) {
        JsonNode values = f.get(key), shape = f.get(key.replaceFirst("^grad_", "").replaceFirst("^grad_output$", "output") + "_shape");
        double[] v = new double[values.size()];
        for (int i = 0; i < v.length; i++) {
            v[i] = values.get(i).asDouble();
        }
        long[] s = new long[shape.size()];
        for (int i = 0; i < s.length; i++) {
            s[i] = shape.get(i).asLong();
        }
        return Nd4j.create(v, s, 'c').castTo(DataType.FLOAT);
    }

    static void assertClose(INDArray expected, INDArray actual, String what) {
        assertArrayEquals(expected.shape(), actual.shape(), what + " shape");
        double err = expected.sub(actual).norm2Number().doubleValue() / expected.norm2Number().doubleValue();
        assertTrue(err < 1e-5, what + ": relative error " + err);
    }

    /** Runs one vertex of a freshly built graph forward and backward on the fixture's tensors. */
    static Pair<INDArray, Pair<Gradient, INDArray[]>> run(int inH, int inW, int inC,
                                                          BiFunction<GraphAssembler, String, String> add,
                                                          java.util.function.Consumer<ComputationGraph> setParams,
                                                          GraphAssembler.Implementation impl, INDArray gradOut,
                                                          INDArray... inputs) {
        ComputationGraphConfiguration.GraphBuilder g = ModelRegistry.defaultBase(1).graphBuilder();
        String[] names = new String[inputs.length];
        InputType[] types = new InputType[inputs.length];
        for (int i = 0; i < inputs.length; i++) {
            names[i] = "in" + i;
            types[i] = InputType.convolutional(inputs[i].size(2), inputs[i].size(3), inputs[i].size(1));
        }
        g.addInputs(names).setInputTypes(types);
        String out = add.apply(new GraphAssembler(g, impl), "in0");
        g.setOutputs(out);
        ComputationGraph net = new ComputationGraph(g.build());
        net.init();
        net.initGradientsView();
        setParams.accept(net);
        GraphVertex v = net.getVertex(out);
        LayerWorkspaceMgr mgr = LayerWorkspaceMgr.noWorkspaces();
        v.setInputs(inputs);
        if (v instanceof LayerVertex lv) {
            lv.applyPreprocessorAndSetInput(mgr);
        }
        INDArray y = v.doForward(true, mgr).dup();
        v.setEpsilon(gradOut);
        return new Pair<>(y, v.doBackward(false, mgr));
    }

    @ParameterizedTest
    @EnumSource(GraphAssembler.Implementation.class)
    void dilatedConvolutionMatchesPyTorch(GraphAssembler.Implementation impl) throws Exception {
        JsonNode f = fixture("conv2d_k3_d2.json");
        INDArray x = array(f, "input0");
        var r = run(9, 10, 4, (a, in) -> a.conv("conv", in, 4, 3, 3, 1, 2, 2, true), net -> {
            net.getLayer("conv").setParam("W", array(f, "weight"));
            net.getLayer("conv").setParam("b", array(f, "bias").reshape(1, 3));
        }, impl, array(f, "grad_output"), x);
        assertClose(array(f, "output"), r.getFirst(), "output");
        assertClose(array(f, "grad_input0"), r.getSecond().getSecond()[0], "input gradient");
        assertClose(array(f, "grad_weight"), r.getSecond().getFirst().getGradientFor("W"), "weight gradient");
        assertClose(array(f, "grad_bias"), r.getSecond().getFirst().getGradientFor("b").reshape(3), "bias gradient");
    }

    @ParameterizedTest
    @EnumSource(GraphAssembler.Implementation.class)
    void dilatedDepthwiseConvolutionMatchesPyTorch(GraphAssembler.Implementation impl) throws Exception {
        JsonNode f = fixture("depthwise_k3_d2.json");
        // PyTorch [C, 1, kH, kW]; DL4J depthwise [kH, kW, C, 1]
        INDArray w = array(f, "weight").permute(2, 3, 0, 1).dup('c');
        var r = run(8, 8, 4, (a, in) -> a.depthwise("dw", in, 4, 3, 1, 2, 2), net -> net.getLayer("dw").setParam("W", w),
                impl, array(f, "grad_output"), array(f, "input0"));
        assertClose(array(f, "output"), r.getFirst(), "output");
        assertClose(array(f, "grad_input0"), r.getSecond().getSecond()[0], "input gradient");
        assertClose(array(f, "grad_weight").permute(2, 3, 0, 1), r.getSecond().getFirst().getGradientFor("W"),
                "weight gradient");
    }

    @Test
    void bilinearUpsamplingMatchesPyTorch() throws Exception {
        JsonNode f = fixture("bilinear_x4.json");
        var r = run(5, 6, 3, (a, in) -> a.bilinear("up", in, 4), net -> {
        }, GraphAssembler.Implementation.FAST, array(f, "grad_output"), array(f, "input0"));
        assertClose(array(f, "output"), r.getFirst(), "output");
        assertClose(array(f, "grad_input0"), r.getSecond().getSecond()[0], "input gradient");
    }

    @Test
    void hardSwishMatchesPyTorch() throws Exception {
        JsonNode f = fixture("hardswish.json");
        ActivationHardSwish hs = new ActivationHardSwish();
        assertClose(array(f, "output"), hs.getActivation(array(f, "input0"), true), "output");
        assertClose(array(f, "grad_input0"), hs.backprop(array(f, "input0"), array(f, "grad_output")).getFirst(),
                "input gradient");
    }

    @Test
    void squeezeExciteGateMatchesPyTorch() throws Exception {
        JsonNode f = fixture("se_gate.json");
        var r = run(4, 5, 3, (a, in) -> a.channelGate("gate", in, "in1"), net -> {
        }, GraphAssembler.Implementation.FAST, array(f, "grad_output"), array(f, "input0"), array(f, "input1"));
        assertClose(array(f, "output"), r.getFirst(), "output");
        assertClose(array(f, "grad_input0"), r.getSecond().getSecond()[0], "gradient of x");
        assertClose(array(f, "grad_input1"), r.getSecond().getSecond()[1], "gradient of the gate input");
    }

    /** Maps of several chunks of planes (the float path copies whole planes in chunks) against the float64 path. */
    @ParameterizedTest
    @CsvSource({"2, 8, 48, 48", "2, 3, 100, 100", "3, 5, 7, 9"})
    void squeezeExciteGateOnLargeMapsMatchesItsFloat64Path(int n, int c, int h, int w) {
        Nd4j.getRandom().setSeed(n * 1000 + h);
        INDArray x = Nd4j.randn(DataType.DOUBLE, n, c, h, w), s = Nd4j.randn(DataType.DOUBLE, n, c, 1, 1).muli(3);
        INDArray gradOut = Nd4j.randn(DataType.DOUBLE, n, c, h, w);
        var exact = run(h, w, c, (a, in) -> a.channelGate("gate", in, "in1"), net -> {
        }, GraphAssembler.Implementation.FAST, gradOut, x, s);
        var fast = run(h, w, c, (a, in) -> a.channelGate("gate", in, "in1"), net -> {
        }, GraphAssembler.Implementation.FAST, gradOut.castTo(DataType.FLOAT), x.castTo(DataType.FLOAT), s.castTo(DataType.FLOAT));
        assertEquals(DataType.FLOAT, fast.getFirst().dataType());
        assertClose(exact.getFirst().castTo(DataType.FLOAT), fast.getFirst(), "output");
        assertClose(exact.getSecond().getSecond()[0].castTo(DataType.FLOAT), fast.getSecond().getSecond()[0], "gradient of x");
        assertClose(exact.getSecond().getSecond()[1].castTo(DataType.FLOAT), fast.getSecond().getSecond()[1], "gradient of the gate input");
    }
}
