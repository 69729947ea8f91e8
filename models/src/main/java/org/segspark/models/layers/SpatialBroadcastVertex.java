package org.segspark.models.layers;

import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.graph.vertex.GraphVertex;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Spreads a pooled vector v [n, c, 1, 1] over the plane of a reference input [n, *, h, w] (ASPP's
 * image-pooling branch: bilinear upsampling of a 1x1 map is exactly this). Inputs: v, then the reference.
 */
public class SpatialBroadcastVertex extends TwoInputVertex {
    private static final long serialVersionUID = 1L;

    @Override
    public GraphVertex instantiate(ComputationGraph graph, String name, int idx, INDArray paramsView,
                                   boolean initializeParams, DataType networkDatatype) {
        return new SpatialBroadcastVertexImpl(graph, name, idx, networkDatatype);
    }

    @Override
    public InputType getOutputType(int layerIndex, InputType... vertexInputs) {
        InputType.InputTypeConvolutional v = (InputType.InputTypeConvolutional) vertexInputs[0];
        InputType.InputTypeConvolutional ref = (InputType.InputTypeConvolutional) vertexInputs[1];
        return InputType.convolutional(ref.getHeight(), ref.getWidth(), v.getChannels());
    }
}
