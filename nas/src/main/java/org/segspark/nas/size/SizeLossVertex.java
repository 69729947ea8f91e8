package org.segspark.nas.size;

import org.segspark.nas.architecture.NasArchitecture;

import org.deeplearning4j.nn.conf.graph.GraphVertex;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.memory.LayerMemoryReport;
import org.deeplearning4j.nn.conf.memory.MemoryReport;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

import java.util.Objects;

/**
 * The search's architecture loss and its parameter ties, as a vertex of the search network: it
 * passes the input through, and its backward pass, which DL4J runs last because the vertex sits
 * right after the input, adds d(size loss)/d(parameter) to the relaxation parameters' gradients
 * and gives every group of {@link TiedParameters} the sum of its gradients. Being part of the
 * network, this happens on every worker in every training mode (local, parameter averaging,
 * gradient sharing) before the updater sees the gradient; no listener has to travel.
 */
public class SizeLossVertex extends GraphVertex {
    private static final long serialVersionUID = 1L;

    private String architecture;
    private int height;
    private int width;

    /** For JSON. */
    public SizeLossVertex() {
    }

    public SizeLossVertex(NasArchitecture a, int height, int width) {
        this.architecture = a.toJson();
        this.height = height;
        this.width = width;
    }

    /** The network's input height (sizes of pruned candidates are counted at it). */
    public int getHeight() {
        return height;
    }

    public void setHeight(int height) {
        this.height = height;
    }

    public int getWidth() {
        return width;
    }

    public void setWidth(int width) {
        this.width = width;
    }

    public String getArchitecture() {
        return architecture;
    }

    public void setArchitecture(String architecture) {
        this.architecture = architecture;
    }

    @Override
    public SizeLossVertex clone() {
        SizeLossVertex v = new SizeLossVertex();
        v.architecture = architecture;
        v.height = height;
        v.width = width;
        return v;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof SizeLossVertex v && Objects.equals(v.architecture, architecture) && v.height == height
                && v.width == width;
    }

    @Override
    public int hashCode() {
        return Objects.hash(architecture, height, width);
    }

    @Override
    public long numParams(boolean backprop) {
        return 0;
    }

    @Override
    public int minVertexInputs() {
        return 1;
    }

    @Override
    public int maxVertexInputs() {
        return 1;
    }

    @Override
    public org.deeplearning4j.nn.graph.vertex.GraphVertex instantiate(ComputationGraph graph, String name, int idx,
                                                                      INDArray paramsView, boolean initializeParams,
                                                                      DataType networkDatatype) {
        NasArchitecture a = NasArchitecture.fromJson(architecture);
        return new SizeLossVertexImpl(graph, name, idx, a, lossScale(a), networkDatatype);
    }

    /** Output positions per example: the U-Net's pixels (its output has the input's size), 1 for a classifier. */
    public double lossScale(NasArchitecture a) {
        return a.isUnet() ? (double) height * width : 1.0;
    }

    @Override
    public InputType getOutputType(int layerIndex, InputType... vertexInputs) {
        return vertexInputs[0];
    }

    @Override
    public MemoryReport getMemoryReport(InputType... inputTypes) {
        return new LayerMemoryReport.Builder(null, SizeLossVertex.class, inputTypes[0], inputTypes[0])
                .standardMemory(0, 0).workingMemory(0, 0, 0, 0)
                .cacheMemory(MemoryReport.CACHE_MODE_ALL_ZEROS, MemoryReport.CACHE_MODE_ALL_ZEROS).build();
    }
}
