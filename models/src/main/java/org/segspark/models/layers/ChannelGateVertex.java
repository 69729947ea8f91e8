package org.segspark.models.layers;

import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.graph.vertex.GraphVertex;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Squeeze-and-excite's gate: x [n, c, h, w] times hardsigmoid(s) for s [n, c, 1, 1], broadcast
 * over the plane (DL4J's product vertex does not broadcast). Inputs: x, then s.
 */
public class ChannelGateVertex extends TwoInputVertex {
    private static final long serialVersionUID = 1L;

    @Override
    public GraphVertex instantiate(ComputationGraph graph, String name, int idx, INDArray paramsView,
                                   boolean initializeParams, DataType networkDatatype) {
        return new ChannelGateVertexImpl(graph, name, idx, networkDatatype);
    }

    @Override
    public InputType getOutputType(int layerIndex, InputType... vertexInputs) {
        return vertexInputs[0];
    }
}
