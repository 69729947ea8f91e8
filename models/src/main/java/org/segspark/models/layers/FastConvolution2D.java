package org.segspark.models.layers;

import org.deeplearning4j.nn.api.Layer;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.layers.ConvolutionLayer;
import org.deeplearning4j.optimize.api.TrainingListener;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

import java.util.Collection;

/**
 * A DL4J convolution layer computed by libnd4j's conv2d / conv2d_bp ops directly, without
 * recomputing the forward convolution inside backprop (DL4J does, to differentiate the layer's
 * activation, even when that activation is the identity, as it is in every segspark model).
 */
public class FastConvolution2D extends ConvolutionLayer {
    private static final long serialVersionUID = 1L;

    public FastConvolution2D() {
        super();
    }

    public FastConvolution2D(ConvolutionLayer.Builder builder) {
        super(builder);
        builder.build(); // DL4J's validation of kernel, stride and padding
    }

    @Override
    public Layer instantiate(NeuralNetConfiguration conf, Collection<TrainingListener> trainingListeners,
                             int layerIndex, INDArray layerParamsView, boolean initializeParams, DataType networkDataType) {
        return LayerWiring.wire(new FastConvolution2DLayer(conf, networkDataType), conf, trainingListeners, layerIndex,
                layerParamsView, initializeParams);
    }
}
