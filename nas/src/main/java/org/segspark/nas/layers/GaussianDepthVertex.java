package org.segspark.nas.layers;

import org.deeplearning4j.nn.graph.vertex.GraphVertex;
import org.nd4j.linalg.learning.config.IUpdater;

import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.conf.layers.samediff.SDVertexParams;
import org.deeplearning4j.nn.conf.layers.samediff.SameDiffVertex;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

import java.util.Map;
import java.util.Objects;

/**
 * A relaxed depth: the weighted sum of {@code choices} same-shaped inputs x_1..x_k (the outputs
 * after 1..k convolutions of a cell) with w_i = exp(-(i - depth)^2) / sum_j exp(-(j - depth)^2),
 * a soft choice centred on the learnable scalar {@code depth}. In {@code hard} mode the weights
 * are one-hot at clamp(round(depth), 1, k): what the pruned network keeps.
 *
 * <p>The depth is declared a bias-type parameter so that weight decay and L2, which act on
 * weights, do not pull it towards 0. The configuration is a SameDiff vertex only for what DL4J
 * gives those (the global updater applied, parameters laid out and updated like a layer's); the
 * computation and its gradient are written out in {@link GaussianDepthVertexImpl} (DL4J 1.0.0-M2.1's
 * SameDiff layers return gradients twice too large: see RelaxationLayersTest).
 */
public class GaussianDepthVertex extends SameDiffVertex {
    public static final String DEPTH = "depth";
    private static final long serialVersionUID = 1L;

    private int choices;
    private double initialDepth;
    private boolean hard;

    /** For JSON. */
    public GaussianDepthVertex() {
    }

    public GaussianDepthVertex(int choices, double initialDepth, boolean hard) {
        if (choices < 1) {
            throw new IllegalArgumentException("choices must be >= 1, got " + choices);
        }
        this.choices = choices;
        this.initialDepth = initialDepth;
        this.hard = hard;
    }

    /** Its own updater (the architecture parameters' learning rate), instead of the network's. */
    public GaussianDepthVertex withUpdater(IUpdater u) {
        this.updater = u;
        this.biasUpdater = u;
        return this;
    }

    public int getChoices() {
        return choices;
    }

    public void setChoices(int choices) {
        this.choices = choices;
    }

    public double getInitialDepth() {
        return initialDepth;
    }

    public void setInitialDepth(double initialDepth) {
        this.initialDepth = initialDepth;
    }

    public boolean isHard() {
        return hard;
    }

    public void setHard(boolean hard) {
        this.hard = hard;
    }

    /** The choice a hard mask (and pruning) keeps for a depth value: clamp(round(depth), 1, k). */
    public static int kept(double depth, int choices) {
        return (int) Math.max(1, Math.min(choices, Math.round(depth)));
    }

    /** The mixture's weights for a depth value (index 0 is choice 1). */
    public static double[] weights(double depth, int choices) {
        double[] w = new double[choices];
        double max = Double.NEGATIVE_INFINITY;
        for (int i = 0; i < choices; i++) {
            w[i] = -Math.pow(i + 1 - depth, 2);
            max = Math.max(max, w[i]);
        }
        double sum = 0;
        for (int i = 0; i < choices; i++) {
            w[i] = Math.exp(w[i] - max);
            sum += w[i];
        }
        for (int i = 0; i < choices; i++) {
            w[i] /= sum;
        }
        return w;
    }

    @Override
    public void defineParametersAndInputs(SDVertexParams params) {
        params.clear();
        String[] inputs = new String[choices];
        for (int i = 0; i < choices; i++) {
            inputs[i] = "x" + (i + 1);
        }
        params.defineInputs(inputs);
        params.addBiasParam(DEPTH, 1, 1);
    }

    @Override
    public void initializeParameters(Map<String, INDArray> params) {
        params.get(DEPTH).assign(initialDepth);
    }

    /** Never called: {@link #instantiate} builds {@link GaussianDepthVertexImpl}, whose backprop is written out. */
    @Override
    public SDVariable defineVertex(SameDiff sd, Map<String, SDVariable> inputs, Map<String, SDVariable> params,
                                   Map<String, SDVariable> masks) {
        throw new UnsupportedOperationException("GaussianDepthVertex is computed by GaussianDepthVertexImpl");
    }

    @Override
    public GraphVertex instantiate(ComputationGraph graph, String name, int idx,
                                                                      INDArray paramsView, boolean initializeParams,
                                                                      DataType networkDatatype) {
        // the SameDiff vertex records its name here (the updater finds parameters by it); its own
        // implementation is built lazily and never used
        super.instantiate(graph, name, idx, paramsView, false, networkDatatype);
        return new GaussianDepthVertexImpl(this, graph, name, idx, paramsView, initializeParams, networkDatatype);
    }

    @Override
    public InputType getOutputType(int layerIndex, InputType... vertexInputs) {
        for (InputType t : vertexInputs) {
            if (!t.equals(vertexInputs[0])) {
                throw new IllegalArgumentException("GaussianDepthVertex inputs differ: " + t + " vs " + vertexInputs[0]);
            }
        }
        return vertexInputs[0];
    }

    @Override
    public int minVertexInputs() {
        return choices;
    }

    @Override
    public int maxVertexInputs() {
        return choices;
    }

    @Override
    public GaussianDepthVertex clone() {
        GaussianDepthVertex v = new GaussianDepthVertex(choices, initialDepth, hard);
        v.updater = updater == null ? null : updater.clone();
        v.biasUpdater = biasUpdater == null ? null : biasUpdater.clone();
        return v;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof GaussianDepthVertex v && v.choices == choices && v.initialDepth == initialDepth && v.hard == hard;
    }

    @Override
    public int hashCode() {
        return Objects.hash(choices, initialDepth, hard);
    }
}
