package org.segspark.models.layers;

import org.deeplearning4j.nn.api.Layer;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.layers.DepthwiseConvolution2D;
import org.deeplearning4j.optimize.api.TrainingListener;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

import java.util.Collection;

/** DL4J's depthwise convolution without the forward recomputation DL4J does inside backprop. */
public class FastDepthwiseConvolution2D extends DepthwiseConvolution2D {
    private static final long serialVersionUID = 1L;

    public FastDepthwiseConvolution2D() {
        super();
    }

    public FastDepthwiseConvolution2D(DepthwiseConvolution2D.Builder builder) {
        super(builder);
        builder.build();
    }

    @Override
    public Layer instantiate(NeuralNetConfiguration conf, Collection<TrainingListener> trainingListeners,
                             int layerIndex, INDArray layerParamsView, boolean initializeParams, DataType networkDataType) {
        return LayerWiring.wire(new FastDepthwiseConvolution2DLayer(conf, networkDataType), conf, trainingListeners, layerIndex,
                layerParamsView, initializeParams);
    }
}
