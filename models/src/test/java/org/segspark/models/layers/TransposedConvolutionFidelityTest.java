package org.segspark.models.layers;

import org.deeplearning4j.nn.api.Layer;
import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.gradient.Gradient;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.workspace.LayerWorkspaceMgr;
import org.junit.jupiter.params.ParameterizedTest;
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

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The 'Truncate' transposed convolution + crop that segspark builds computes exactly PyTorch's
 * ConvTranspose2d(k=3, stride=2, padding=1, output_padding=1): output and gradients against fixed
 * tensors written by PyTorch (bench/make_fixtures.py), with the same weights in the same layout.
 */
class TransposedConvolutionFidelityTest {
    static INDArray array(JsonNode values, JsonNode shape) {
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

    @ParameterizedTest
    @EnumSource(GraphAssembler.Implementation.class)
    void matchesPyTorchConvTranspose2d(GraphAssembler.Implementation impl) throws Exception {
        JsonNode f;
        try (InputStream in = getClass().getResourceAsStream("/fixtures/convtranspose2d_k3s2p1op1.json")) {
            f = new ObjectMapper().readTree(in);
        }
        INDArray x = array(f.get("input"), f.get("input_shape"));
        INDArray w = array(f.get("weight"), f.get("weight_shape")); // [in, out, kH, kW]: DL4J's deconvolution layout
        INDArray b = array(f.get("bias"), new ObjectMapper().readTree("[1, 3]"));
        INDArray y = array(f.get("output"), f.get("output_shape"));
        INDArray g = array(f.get("grad_output"), f.get("output_shape"));

        ComputationGraphConfiguration.GraphBuilder gb = ModelRegistry.defaultBase(1).graphBuilder()
                .addInputs("in").setInputTypes(InputType.convolutional(5, 6, 4));
        String out = new GraphAssembler(gb, impl).upsample2x("up", "in", 4, 3, true);
        gb.setOutputs(out);
        ComputationGraph net = new ComputationGraph(gb.build());
        net.init();
        net.initGradientsView();
        Layer up = net.getLayer("up"), crop = net.getLayer(out);
        up.setParam("W", w);
        up.setParam("b", b);

        LayerWorkspaceMgr mgr = LayerWorkspaceMgr.noWorkspaces();
        up.setInput(x, mgr);
        INDArray full = up.activate(true, mgr);
        crop.setInput(full, mgr);
        assertClose(y, crop.activate(true, mgr), "output");

        INDArray epsFull = crop.backpropGradient(g, mgr).getSecond();
        Pair<Gradient, INDArray> back = up.backpropGradient(epsFull, mgr);
        assertClose(array(f.get("grad_input"), f.get("input_shape")), back.getSecond(), "input gradient");
        assertClose(array(f.get("grad_weight"), f.get("weight_shape")), back.getFirst().getGradientFor("W"), "weight gradient");
        assertClose(array(f.get("grad_bias"), new ObjectMapper().readTree("[1, 3]")), back.getFirst().getGradientFor("b").reshape(1, 3),
                "bias gradient");
    }
}
