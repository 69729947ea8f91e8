package org.segspark.nas.size;

import org.deeplearning4j.nn.api.Layer;

import org.segspark.nas.architecture.NasArchitecture;

import org.deeplearning4j.nn.api.MaskState;
import org.deeplearning4j.nn.gradient.Gradient;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.graph.vertex.BaseGraphVertex;
import org.deeplearning4j.nn.workspace.ArrayType;
import org.deeplearning4j.nn.workspace.LayerWorkspaceMgr;
import org.nd4j.common.primitives.Pair;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

import java.util.List;
import java.util.Map;

/** See {@link SizeLossVertex}. */
final class SizeLossVertexImpl extends BaseGraphVertex {
    private final NasArchitecture architecture;
    private final List<List<TiedParameters.Ref>> ties;
    private final double scale;

    /**
     * {@code scale}: DL4J's score sums the loss over an example's outputs (every pixel of a
     * segmentation), where the seed's loss, to which k refers, is the mean cross-entropy per
     * pixel; the size term is scaled by the output positions to keep k's meaning.
     */
    SizeLossVertexImpl(ComputationGraph graph, String name, int idx, NasArchitecture architecture, double scale,
                       DataType dataType) {
        super(graph, name, idx, null, null, dataType);
        this.architecture = architecture;
        this.ties = TiedParameters.groups(architecture);
        this.scale = scale;
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
        return mgr.dup(ArrayType.ACTIVATIONS, inputs[0]);
    }

    @Override
    public Pair<Gradient, INDArray[]> doBackward(boolean tbptt, LayerWorkspaceMgr mgr) {
        addSizeLossAndTie(graph, architecture, ties, scale);
        return new Pair<>(null, new INDArray[]{mgr.dup(ArrayType.ACTIVATION_GRAD, epsilon)});
    }

    /** After backprop: the size loss's gradient added, tied parameters given their summed gradient. */
    static void addSizeLossAndTie(ComputationGraph graph, NasArchitecture architecture,
                                  List<List<TiedParameters.Ref>> ties, double scale) {
        NetworkSize.Value v = NetworkSize.of(graph, architecture);
        for (Map.Entry<TiedParameters.Ref, INDArray> e : v.gradient().entrySet()) {
            INDArray g = GraphParams.gradient(graph, e.getKey());
            g.addi(e.getValue().mul(scale).castTo(g.dataType()).reshape(g.shape()));
        }
        for (List<TiedParameters.Ref> group : ties) {
            INDArray sum = GraphParams.gradient(graph, group.get(0)).dup();
            for (int i = 1; i < group.size(); i++) {
                sum.addi(GraphParams.gradient(graph, group.get(i)));
            }
            for (TiedParameters.Ref r : group) {
                GraphParams.gradient(graph, r).assign(sum);
            }
        }
    }

    @Override
    public void setBackpropGradientsViewArray(INDArray view) {
        if (view != null && view.length() > 0) {
            throw new IllegalStateException("SizeLossVertex has no parameters");
        }
    }

    @Override
    public Pair<INDArray, MaskState> feedForwardMaskArrays(INDArray[] maskArrays, MaskState currentMaskState,
                                                           int minibatchSize) {
        return new Pair<>(maskArrays == null || maskArrays.length == 0 ? null : maskArrays[0], currentMaskState);
    }

    @Override
    public String toString() {
        return "SizeLossVertex(" + vertexName + ")";
    }
}
