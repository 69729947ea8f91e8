package org.segspark.nas;

import org.segspark.nas.layers.ChannelGateParams;
import org.segspark.nas.layers.GaussianDepthVertex;
import org.segspark.nas.layers.LearnableChannelGate;
import org.segspark.nas.size.SizeLossVertex;

import org.segspark.models.onnx.OnnxGraph;
import org.segspark.models.onnx.OnnxTranslatorProvider;
import org.segspark.models.onnx.VertexContext;
import org.segspark.models.onnx.VertexTranslator;

import java.util.ArrayList;
import java.util.List;

/**
 * The search network's relaxations as ONNX: at inference their architecture parameters are
 * constants, so a gate is a per-channel product and a depth mixture a weighted sum, exactly as
 * DL4J computes them (soft while searching, 0/1 in hard mode). The size loss only acts in the
 * backward pass and is left out.
 */
public final class NasOnnxTranslators implements OnnxTranslatorProvider {
    @Override
    public List<VertexTranslator> translators() {
        return List.of(
                VertexTranslator.of(LearnableChannelGate.class, NasOnnxTranslators::gate),
                VertexTranslator.of(GaussianDepthVertex.class, NasOnnxTranslators::depth),
                VertexTranslator.of(SizeLossVertex.class, VertexContext::input));
    }

    private static String gate(VertexContext c) {
        LearnableChannelGate l = c.conf();
        float[] s = c.floats(ChannelGateParams.SCORE);
        float[] g = new float[s.length];
        for (int i = 0; i < s.length; i++) {
            g[i] = l.isHard() ? (LearnableChannelGate.kept(s[i]) ? 1f : 0f) : (float) LearnableChannelGate.gate(s[i]);
        }
        OnnxGraph graph = c.graph();
        return graph.node("Mul", c.name(), List.of(c.input(), graph.floats(c.name() + "_gates", g, 1, g.length, 1, 1)));
    }

    private static String depth(VertexContext c) {
        GaussianDepthVertex v = c.conf();
        double d = c.floats(GaussianDepthVertex.DEPTH)[0];
        double[] w = new double[v.getChoices()];
        if (v.isHard()) {
            w[GaussianDepthVertex.kept(d, v.getChoices()) - 1] = 1;
        } else {
            w = GaussianDepthVertex.weights(d, v.getChoices());
        }
        OnnxGraph graph = c.graph();
        List<String> terms = new ArrayList<>();
        for (int i = 0; i < w.length; i++) {
            if (w[i] == 1) {
                return c.inputs().get(i);
            }
            if (w[i] != 0) {
                terms.add(graph.node("Mul", c.name() + "_w" + (i + 1), List.of(c.inputs().get(i),
                        graph.floats(c.name() + "_weight" + (i + 1), new float[] {(float) w[i]}, 1))));
            }
        }
        return terms.size() == 1 ? terms.get(0) : graph.node("Sum", c.name(), terms);
    }
}
