package org.segspark.models.layers;

import org.segspark.models.nd4j.OneDnn;

import org.deeplearning4j.nn.conf.CNN2DFormat;
import org.deeplearning4j.nn.conf.ConvolutionMode;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.gradient.DefaultGradient;
import org.deeplearning4j.nn.gradient.Gradient;
import org.deeplearning4j.nn.layers.convolution.DepthwiseConvolution2DLayer;
import org.deeplearning4j.nn.params.DepthwiseConvolutionParamInitializer;
import org.deeplearning4j.nn.workspace.LayerWorkspaceMgr;
import org.nd4j.common.primitives.Pair;
import org.nd4j.linalg.activations.impl.ActivationIdentity;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/** Backprop of {@link FastDepthwiseConvolution2D}: depthwise_conv2d_bp on the incoming gradient as is. */
public class FastDepthwiseConvolution2DLayer extends DepthwiseConvolution2DLayer {
    private static final long serialVersionUID = 1L;

    public FastDepthwiseConvolution2DLayer(NeuralNetConfiguration conf, DataType dataType) {
        super(conf, dataType);
    }

    /** Dilated depthwise convolutions run off oneDNN (see OneDnn.withoutOneDnn). */
    @Override
    public INDArray activate(boolean training, LayerWorkspaceMgr workspaceMgr) {
        int[] d = layerConf().getDilation();
        if (d[0] > 1 || d[1] > 1) {
            return OneDnn.withoutOneDnn(() -> super.activate(training, workspaceMgr));
        }
        return super.activate(training, workspaceMgr);
    }

    @Override
    public Pair<Gradient, INDArray> backpropGradient(INDArray epsilon, LayerWorkspaceMgr workspaceMgr) {
        assertInputSet(true);
        var c = layerConf();
        if (c.getCnn2dDataFormat() != CNN2DFormat.NCHW || c.getConvolutionMode() == ConvolutionMode.Same
                || !(c.getActivationFn() instanceof ActivationIdentity) || c.getWeightNoise() != null
                || input.dataType() != DataType.FLOAT) {
            return super.backpropGradient(epsilon, workspaceMgr);
        }
        INDArray w = getParam(DepthwiseConvolutionParamInitializer.WEIGHT_KEY);
        INDArray dW = gradientViews.get(DepthwiseConvolutionParamInitializer.WEIGHT_KEY);
        INDArray dx = ConvOps.gradient(workspaceMgr, input.shape());
        INDArray[] in;
        INDArray[] out;
        if (c.hasBias()) {
            INDArray b = getParam(DepthwiseConvolutionParamInitializer.BIAS_KEY);
            INDArray dB = gradientViews.get(DepthwiseConvolutionParamInitializer.BIAS_KEY);
            in = new INDArray[] {input, w, b, epsilon};
            out = new INDArray[] {dx, dW, dB};
        } else {
            in = new INDArray[] {input, w, epsilon};
            out = new INDArray[] {dx, dW};
        }
        ConvOps.exec("depthwise_conv2d_bp", in, out,
                ConvOps.args(c.getKernelSize(), c.getStride(), c.getPadding(), c.getDilation()));
        Gradient g = new DefaultGradient();
        if (c.hasBias()) {
            g.setGradientFor(DepthwiseConvolutionParamInitializer.BIAS_KEY, gradientViews.get(DepthwiseConvolutionParamInitializer.BIAS_KEY));
        }
        g.setGradientFor(DepthwiseConvolutionParamInitializer.WEIGHT_KEY, dW, 'c');
        return new Pair<>(g, backpropDropOutIfPresent(dx));
    }
}
