package org.segspark.models.layers;

import org.deeplearning4j.nn.api.Layer;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.layers.BatchNormalization;
import org.deeplearning4j.optimize.api.TrainingListener;
import org.nd4j.linalg.activations.IActivation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

import java.util.Collection;

/**
 * Batch normalisation with its activation (identity, ReLU or ReLU6) fused in, computed by segspark's
 * own kernels. Same parameters, initialisation, running-statistics update and JSON as DL4J's
 * {@link BatchNormalization} (the activation is the layer's ordinary activation field, which DL4J's
 * batch norm ignores), so a network saved with it is an ordinary DL4J network.
 */
public class FastBatchNormalization extends BatchNormalization {
    private static final long serialVersionUID = 1L;

    public FastBatchNormalization() {
        super();
    }

    /** Batch norm over {@code channels} with PyTorch's defaults (eps 1e-5, momentum 0.1) and the given activation. */
    public static FastBatchNormalization of(int channels, IActivation activation) {
        FastBatchNormalization bn = new FastBatchNormalization();
        bn.setNIn(channels);
        bn.setNOut(channels);
        bn.setEps(1e-5);
        bn.setDecay(0.9);
        bn.setActivationFn(activation);
        return bn;
    }

    @Override
    public Layer instantiate(NeuralNetConfiguration conf, Collection<TrainingListener> trainingListeners,
                             int layerIndex, INDArray layerParamsView, boolean initializeParams, DataType networkDataType) {
        return LayerWiring.wire(new FastBatchNormalizationLayer(conf, networkDataType), conf, trainingListeners, layerIndex,
                layerParamsView, initializeParams);
    }
}
