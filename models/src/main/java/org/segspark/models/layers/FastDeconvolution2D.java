package org.segspark.models.layers;

import org.deeplearning4j.nn.api.Layer;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.layers.Deconvolution2D;
import org.deeplearning4j.optimize.api.TrainingListener;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

import java.util.Collection;

/** DL4J's transposed convolution without the forward recomputation DL4J does inside backprop. */
public class FastDeconvolution2D extends Deconvolution2D {
    private static final long serialVersionUID = 1L;

    public FastDeconvolution2D() {
        super();
    }

    public FastDeconvolution2D(Deconvolution2D.Builder builder) {
        super(builder);
        builder.build();
    }

    @Override
    public Layer instantiate(NeuralNetConfiguration conf, Collection<TrainingListener> trainingListeners,
                             int layerIndex, INDArray layerParamsView, boolean initializeParams, DataType networkDataType) {
        return LayerWiring.wire(new FastDeconvolution2DLayer(conf, networkDataType), conf, trainingListeners, layerIndex,
                layerParamsView, initializeParams);
    }
}
