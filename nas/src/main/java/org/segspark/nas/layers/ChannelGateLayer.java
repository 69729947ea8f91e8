package org.segspark.nas.layers;

import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.gradient.DefaultGradient;
import org.deeplearning4j.nn.gradient.Gradient;
import org.deeplearning4j.nn.layers.BaseLayer;
import org.deeplearning4j.nn.workspace.ArrayType;
import org.deeplearning4j.nn.workspace.LayerWorkspaceMgr;
import org.nd4j.common.primitives.Pair;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Broadcast;
import org.nd4j.linalg.ops.transforms.Transforms;

/** The computation of a {@link LearnableChannelGate}: y = x * g (per channel), and its backprop. */
final class ChannelGateLayer extends BaseLayer<LearnableChannelGate> {

    ChannelGateLayer(NeuralNetConfiguration conf, DataType dataType) {
        super(conf, dataType);
    }

    @Override
    public Type type() {
        return Type.CONVOLUTIONAL;
    }

    /** The gates [c]: sigmoid(SLOPE * s), or the 0/1 pruning decision in hard mode. */
    private INDArray gates(INDArray s) {
        INDArray flat = s.reshape(s.length()).castTo(dataType);
        return layerConf().isHard() ? flat.gt(0.0).castTo(dataType) : Transforms.sigmoid(flat.mul(LearnableChannelGate.SLOPE), false);
    }

    @Override
    public INDArray activate(boolean training, LayerWorkspaceMgr mgr) {
        assertInputSet(false);
        INDArray out = mgr.createUninitialized(ArrayType.ACTIVATIONS, dataType, input.shape(), 'c');
        Broadcast.mul(input, gates(getParam(ChannelGateParams.SCORE)), out, 1);
        return out;
    }

    @Override
    public Pair<Gradient, INDArray> backpropGradient(INDArray epsilon, LayerWorkspaceMgr mgr) {
        assertInputSet(true);
        INDArray g = gates(getParam(ChannelGateParams.SCORE));
        INDArray dx = mgr.createUninitialized(ArrayType.ACTIVATION_GRAD, dataType, input.shape(), 'c');
        Broadcast.mul(epsilon, g, dx, 1);
        INDArray gradView = gradientViews.get(ChannelGateParams.SCORE);
        if (layerConf().isHard()) {
            gradView.assign(0);
        } else {
            // dL/ds_c = sum over n, h, w of eps * x, times dg/ds = SLOPE * g (1 - g)
            INDArray dg = epsilon.mul(input).sum(0, 2, 3);
            gradView.assign(dg.muli(g).muli(g.rsub(1.0)).muli(LearnableChannelGate.SLOPE).reshape(gradView.shape()));
        }
        Gradient grad = new DefaultGradient();
        grad.setGradientFor(ChannelGateParams.SCORE, gradView);
        return new Pair<>(grad, dx);
    }

    @Override
    public boolean isPretrainLayer() {
        return false;
    }
}
