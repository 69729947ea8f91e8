package org.segspark.nas.layers;

import org.deeplearning4j.nn.api.Layer;

import org.deeplearning4j.nn.api.ParamInitializer;
import org.deeplearning4j.nn.conf.InputPreProcessor;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.BaseLayer;
import org.deeplearning4j.nn.conf.memory.LayerMemoryReport;
import org.deeplearning4j.nn.conf.memory.MemoryReport;
import org.deeplearning4j.optimize.api.TrainingListener;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.segspark.models.layers.LayerWiring;

import java.util.Collection;
import java.util.Objects;

/**
 * The channel relaxation of the {@code gate} variant: x [n, c, h, w] times g_c = sigmoid(5 s_c)
 * per channel, s learnable and initialised to 1 (g = 0.993). A channel whose gate is 0.5 or below
 * (s <= 0) is pruned. In {@code hard} mode the gate is the pruning decision itself, 1 where s > 0
 * and 0 elsewhere: the search network as the pruned one computes it.
 *
 * <p>s is a bias-type parameter: L2 and weight decay, which act on weights, leave it to the size
 * loss.
 */
public class LearnableChannelGate extends BaseLayer {
    /** The sigmoid's slope: g = sigmoid(SLOPE * s). */
    public static final double SLOPE = 5.0;
    private static final long serialVersionUID = 1L;

    private int channels;
    private double initialScore = 1.0;
    private boolean hard;

    /** For JSON. */
    public LearnableChannelGate() {
    }

    public LearnableChannelGate(int channels, boolean hard) {
        if (channels < 1) {
            throw new IllegalArgumentException("channels must be >= 1, got " + channels);
        }
        this.channels = channels;
        this.hard = hard;
    }

    public int getChannels() {
        return channels;
    }

    public void setChannels(int channels) {
        this.channels = channels;
    }

    public double getInitialScore() {
        return initialScore;
    }

    public void setInitialScore(double initialScore) {
        this.initialScore = initialScore;
    }

    public boolean isHard() {
        return hard;
    }

    public void setHard(boolean hard) {
        this.hard = hard;
    }

    /** The gate value of a score. */
    public static double gate(double s) {
        return 1 / (1 + Math.exp(-SLOPE * s));
    }

    /** Whether pruning keeps a channel with this score (gate above 0.5). */
    public static boolean kept(double s) {
        return s > 0;
    }

    @Override
    public Layer instantiate(NeuralNetConfiguration conf,
                                                       Collection<TrainingListener> trainingListeners, int layerIndex,
                                                       INDArray layerParamsView, boolean initializeParams,
                                                       DataType networkDataType) {
        return LayerWiring.wire(new ChannelGateLayer(conf, networkDataType), conf, trainingListeners, layerIndex,
                layerParamsView, initializeParams);
    }

    @Override
    public ParamInitializer initializer() {
        return ChannelGateParams.INSTANCE;
    }

    @Override
    public InputType getOutputType(int layerIndex, InputType inputType) {
        if (!(inputType instanceof InputType.InputTypeConvolutional c) || c.getChannels() != channels) {
            throw new IllegalArgumentException("LearnableChannelGate of " + channels + " channels got input " + inputType);
        }
        return inputType;
    }

    @Override
    public void setNIn(InputType inputType, boolean override) {
        // the channel count is fixed at construction
    }

    @Override
    public InputPreProcessor getPreProcessorForInputType(InputType inputType) {
        return null;
    }

    @Override
    public boolean isPretrainParam(String paramName) {
        return false;
    }

    @Override
    public LayerMemoryReport getMemoryReport(InputType inputType) {
        return new LayerMemoryReport.Builder(layerName, LearnableChannelGate.class, inputType, inputType)
                .standardMemory(channels, getIUpdater() == null ? 0 : getIUpdater().stateSize(channels))
                .workingMemory(0, 0, 0, 0)
                .cacheMemory(MemoryReport.CACHE_MODE_ALL_ZEROS, MemoryReport.CACHE_MODE_ALL_ZEROS).build();
    }

    @Override
    public LearnableChannelGate clone() {
        return (LearnableChannelGate) super.clone();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof LearnableChannelGate g && super.equals(o) && g.channels == channels && g.hard == hard
                && g.initialScore == initialScore;
    }

    @Override
    public int hashCode() {
        return Objects.hash(super.hashCode(), channels, hard, initialScore);
    }
}
