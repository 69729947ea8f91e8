package org.segspark.models.layers;

import org.deeplearning4j.nn.conf.CNN2DFormat;
import org.deeplearning4j.nn.conf.ConvolutionMode;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.gradient.DefaultGradient;
import org.deeplearning4j.nn.gradient.Gradient;
import org.deeplearning4j.nn.layers.convolution.Deconvolution2DLayer;
import org.deeplearning4j.nn.params.DeconvolutionParamInitializer;
import org.deeplearning4j.nn.workspace.LayerWorkspaceMgr;
import org.nd4j.common.primitives.Pair;
import org.nd4j.linalg.activations.impl.ActivationIdentity;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/** Backprop of {@link FastDeconvolution2D}: deconv2d_bp on the incoming gradient as is. */
public class FastDeconvolution2DLayer extends Deconvolution2DLayer {
    private static final long serialVersionUID = 1L;

    public FastDeconvolution2DLayer(NeuralNetConfiguration conf, DataType dataType) {
        super(conf, dataType);
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
        // DL4J stores deconvolution weights as [iC, oC, kH, kW]; libnd4j wants [kH, kW, oC, iC].
        INDArray w = getParam(DeconvolutionParamInitializer.WEIGHT_KEY).permute(2, 3, 1, 0);
        INDArray dWView = gradientViews.get(DeconvolutionParamInitializer.WEIGHT_KEY);
        INDArray dW = dWView.permute(2, 3, 1, 0);
        INDArray dx = ConvOps.gradient(workspaceMgr, input.shape());
        INDArray[] in;
        INDArray[] out;
        if (c.hasBias()) {
            INDArray b = getParam(DeconvolutionParamInitializer.BIAS_KEY);
            INDArray dB = gradientViews.get(DeconvolutionParamInitializer.BIAS_KEY);
            in = new INDArray[] {input, w, b, epsilon};
            out = new INDArray[] {dx, dW, dB};
        } else {
            in = new INDArray[] {input, w, epsilon};
            out = new INDArray[] {dx, dW};
        }
        ConvOps.execByBatch("deconv2d_bp", in, out, ConvOps.args(c.getKernelSize(), c.getStride(), c.getPadding(), c.getDilation()));
        Gradient g = new DefaultGradient();
        if (c.hasBias()) {
            g.setGradientFor(DeconvolutionParamInitializer.BIAS_KEY, gradientViews.get(DeconvolutionParamInitializer.BIAS_KEY));
        }
        g.setGradientFor(DeconvolutionParamInitializer.WEIGHT_KEY, dWView, 'c');
        return new Pair<>(g, backpropDropOutIfPresent(dx));
    }
}
