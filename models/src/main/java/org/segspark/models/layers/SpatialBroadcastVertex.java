package org.segspark.models.layers;

import org.deeplearning4j.nn.conf.graph.GraphVertex;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.memory.LayerMemoryReport;
import org.deeplearning4j.nn.conf.memory.MemoryReport;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Spreads a pooled vector v [n, c, 1, 1] over the plane of a reference input [n, *, h, w] (ASPP's
 * image-pooling branch: bilinear upsampling of a 1x1 map is exactly this). Inputs: v, then the reference.
 */
public class SpatialBroadcastVertex extends GraphVertex {
    private static final long serialVersionUID = 1L;

    @Override
    public SpatialBroadcastVertex clone() {
        return new SpatialBroadcastVertex();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof SpatialBroadcastVertex;
    }

    @Override
    public int hashCode() {
        return 0x5b0c;
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
        return new SpatialBroadcastVertexImpl(graph, name, idx, networkDatatype);
    }

    @Override
    public InputType getOutputType(int layerIndex, InputType... vertexInputs) {
        InputType.InputTypeConvolutional v = (InputType.InputTypeConvolutional) vertexInputs[0];
        InputType.InputTypeConvolutional ref = (InputType.InputTypeConvolutional) vertexInputs[1];
        return InputType.convolutional(ref.getHeight(), ref.getWidth(), v.getChannels());
    }

    @Override
    public MemoryReport getMemoryReport(InputType... inputTypes) {
        InputType out = getOutputType(-1, inputTypes);
        return new LayerMemoryReport.Builder(null, SpatialBroadcastVertex.class, inputTypes[0], out)
                .standardMemory(0, 0).workingMemory(0, 0, 0, 0).cacheMemory(0, 0).build();
    }
}
