package org.segspark.models.layers;

import org.deeplearning4j.nn.conf.graph.GraphVertex;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.memory.LayerMemoryReport;
import org.deeplearning4j.nn.conf.memory.MemoryReport;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Squeeze-and-excite's gate: x [n, c, h, w] times hardsigmoid(s) for s [n, c, 1, 1], broadcast
 * over the plane (DL4J's product vertex does not broadcast). Inputs: x, then s.
 */
public class ChannelGateVertex extends GraphVertex {
    private static final long serialVersionUID = 1L;

    @Override
    public ChannelGateVertex clone() {
        return new ChannelGateVertex();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof ChannelGateVertex;
    }

    @Override
    public int hashCode() {
        return 0x6a7e;
    }

    @Override
    public long numParams(boolean backprop) {
        return 0;
    }

    @Override
    public int minVertexInputs() {
        return 2;
    }

    @Override
    public int maxVertexInputs() {
        return 2;
    }

    @Override
    public org.deeplearning4j.nn.graph.vertex.GraphVertex instantiate(ComputationGraph graph, String name, int idx,
                                                                      INDArray paramsView, boolean initializeParams,
                                                                      DataType networkDatatype) {
        return new ChannelGateVertexImpl(graph, name, idx, networkDatatype);
    }

    @Override
    public InputType getOutputType(int layerIndex, InputType... vertexInputs) {
        return vertexInputs[0];
    }

    @Override
    public MemoryReport getMemoryReport(InputType... inputTypes) {
        return new LayerMemoryReport.Builder(null, ChannelGateVertex.class, inputTypes[0], inputTypes[0])
                .standardMemory(0, 0).workingMemory(0, 0, 0, 0).cacheMemory(0, 0).build();
    }
}
