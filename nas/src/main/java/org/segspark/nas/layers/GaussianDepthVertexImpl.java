package org.segspark.nas.layers;

import org.deeplearning4j.nn.api.Layer;

import org.deeplearning4j.nn.api.MaskState;
import org.deeplearning4j.nn.api.TrainingConfig;
import org.deeplearning4j.nn.gradient.DefaultGradient;
import org.deeplearning4j.nn.gradient.Gradient;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.graph.vertex.BaseGraphVertex;
import org.deeplearning4j.nn.workspace.ArrayType;
import org.deeplearning4j.nn.workspace.LayerWorkspaceMgr;
import org.nd4j.common.primitives.Pair;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The computation of a {@link GaussianDepthVertex}: out = sum_i w_i x_i and its backprop,
 * dL/dx_i = w_i dL/dout and dL/ddepth = sum_i <dL/dout, x_i> dw_i/ddepth, where for the Gaussian
 * softmax w_i(d) = softmax_i(-(i - d)^2), dw_i/dd = w_i (2(i - d) - sum_j w_j 2(j - d)).
 */
final class GaussianDepthVertexImpl extends BaseGraphVertex {
    private final GaussianDepthVertex conf;
    private final INDArray params;
    private final Map<String, INDArray> paramTable = new LinkedHashMap<>();
    private INDArray gradients;
    private final Map<String, INDArray> gradTable = new LinkedHashMap<>();

    GaussianDepthVertexImpl(GaussianDepthVertex conf, ComputationGraph graph, String name, int idx, INDArray paramsView,
                            boolean initializeParams, DataType dataType) {
        super(graph, name, idx, null, null, dataType);
        this.conf = conf;
        this.params = paramsView;
        paramTable.put(GaussianDepthVertex.DEPTH, paramsView.reshape(1, 1));
        if (initializeParams) {
            paramTable.get(GaussianDepthVertex.DEPTH).assign(conf.getInitialDepth());
        }
    }

    private double depth() {
        return params.getDouble(0);
    }

    /** The weights in use: the Gaussian mixture, or one-hot at the kept choice. */
    private double[] weights() {
        int k = conf.getChoices();
        if (!conf.isHard()) {
            return GaussianDepthVertex.weights(depth(), k);
        }
        double[] w = new double[k];
        w[GaussianDepthVertex.kept(depth(), k) - 1] = 1;
        return w;
    }

    @Override
    public boolean hasLayer() {
        return false;
    }

    @Override
    public Layer getLayer() {
        return null;
    }

    @Override
    public INDArray doForward(boolean training, LayerWorkspaceMgr mgr) {
        double[] w = weights();
        INDArray out = mgr.create(ArrayType.ACTIVATIONS, dataType, inputs[0].shape(), 'c');
        for (int i = 0; i < w.length; i++) {
            if (w[i] != 0) {
                out.addi(inputs[i].mul(w[i]));
            }
        }
        return out;
    }

    @Override
    public Pair<Gradient, INDArray[]> doBackward(boolean tbptt, LayerWorkspaceMgr mgr) {
        double[] w = weights();
        INDArray[] dx = new INDArray[w.length];
        for (int i = 0; i < w.length; i++) {
            dx[i] = mgr.createUninitialized(ArrayType.ACTIVATION_GRAD, dataType, inputs[i].shape(), 'c');
            dx[i].assign(epsilon.mul(w[i]));
        }
        double dDepth = 0;
        if (!conf.isHard()) {
            double d = depth(), mean = 0;
            for (int j = 0; j < w.length; j++) {
                mean += w[j] * 2 * (j + 1 - d);
            }
            for (int i = 0; i < w.length; i++) {
                double dw = w[i] * (2 * (i + 1 - d) - mean);
                dDepth += dw * epsilon.mul(inputs[i]).sumNumber().doubleValue();
            }
        }
        gradients.putScalar(0, dDepth);
        Gradient g = new DefaultGradient();
        g.gradientForVariable().put(GaussianDepthVertex.DEPTH, gradTable.get(GaussianDepthVertex.DEPTH));
        return new Pair<>(g, dx);
    }

    @Override
    public void setBackpropGradientsViewArray(INDArray view) {
        this.gradients = view;
        gradTable.put(GaussianDepthVertex.DEPTH, view.reshape(1, 1));
    }

    @Override
    public Pair<INDArray, MaskState> feedForwardMaskArrays(INDArray[] maskArrays, MaskState currentMaskState,
                                                           int minibatchSize) {
        return new Pair<>(maskArrays == null || maskArrays.length == 0 ? null : maskArrays[0], currentMaskState);
    }

    @Override
    public Map<String, INDArray> paramTable(boolean backpropOnly) {
        return paramTable;
    }

    @Override
    public TrainingConfig getConfig() {
        return conf;
    }

    @Override
    public INDArray params() {
        return params;
    }

    @Override
    public INDArray getGradientsViewArray() {
        return gradients;
    }

    @Override
    public String toString() {
        return "GaussianDepthVertex(" + vertexName + ", depth " + depth() + ", " + conf.getChoices() + " choices"
                + (conf.isHard() ? ", hard" : "") + ")";
    }
}
