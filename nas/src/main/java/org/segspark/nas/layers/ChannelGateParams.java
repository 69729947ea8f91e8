package org.segspark.nas.layers;

import org.deeplearning4j.nn.api.ParamInitializer;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.layers.Layer;
import org.nd4j.linalg.api.ndarray.INDArray;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** The parameters of a {@link LearnableChannelGate}: one score per channel, "s", shape [1, c], a bias-type parameter. */
public final class ChannelGateParams implements ParamInitializer {
    public static final String SCORE = "s";
    static final ChannelGateParams INSTANCE = new ChannelGateParams();

    private ChannelGateParams() {
    }

    @Override
    public long numParams(NeuralNetConfiguration conf) {
        return numParams(conf.getLayer());
    }

    @Override
    public long numParams(Layer layer) {
        return ((LearnableChannelGate) layer).getChannels();
    }

    @Override
    public List<String> paramKeys(Layer layer) {
        return List.of(SCORE);
    }

    @Override
    public List<String> weightKeys(Layer layer) {
        return List.of();
    }

    @Override
    public List<String> biasKeys(Layer layer) {
        return List.of(SCORE);
    }

    @Override
    public boolean isWeightParam(Layer layer, String key) {
        return false;
    }

    @Override
    public boolean isBiasParam(Layer layer, String key) {
        return SCORE.equals(key);
    }

    @Override
    public Map<String, INDArray> init(NeuralNetConfiguration conf, INDArray paramsView, boolean initializeParams) {
        LearnableChannelGate gate = (LearnableChannelGate) conf.getLayer();
        INDArray s = paramsView.reshape(1, gate.getChannels());
        if (initializeParams) {
            s.assign(gate.getInitialScore());
        }
        conf.addVariable(SCORE);
        Map<String, INDArray> out = new LinkedHashMap<>();
        out.put(SCORE, s);
        return out;
    }

    @Override
    public Map<String, INDArray> getGradientsFromFlattened(NeuralNetConfiguration conf, INDArray gradientView) {
        Map<String, INDArray> out = new LinkedHashMap<>();
        out.put(SCORE, gradientView.reshape(1, ((LearnableChannelGate) conf.getLayer()).getChannels()));
        return out;
    }
}
