package org.segspark.models.layers;

import org.deeplearning4j.nn.conf.CNN2DFormat;
import org.deeplearning4j.nn.conf.ConvolutionMode;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.gradient.DefaultGradient;
import org.deeplearning4j.nn.gradient.Gradient;
import org.deeplearning4j.nn.layers.convolution.ConvolutionLayer;
import org.deeplearning4j.nn.params.ConvolutionParamInitializer;
import org.deeplearning4j.nn.workspace.LayerWorkspaceMgr;
import org.nd4j.common.primitives.Pair;
import org.nd4j.linalg.activations.impl.ActivationIdentity;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Computation of {@link FastConvolution2D}: libnd4j's conv2d ops, or other ops where those are
 * slow (1x1 convolutions: {@link PointwiseConvolution}; dilated ones: {@link DilatedConvolution};
 * the backward pass where oneDNN would take Winograd: {@link UnfoldedConvolution}); other
 * configurations fall back to DL4J's own code.
 */
public class FastConvolution2DLayer extends ConvolutionLayer {
    private static final long serialVersionUID = 1L;

    public FastConvolution2DLayer(NeuralNetConfiguration conf, DataType dataType) {
        super(conf, dataType);
    }

    private boolean fast() {
        var c = layerConf();
        return c.getCnn2dDataFormat() == CNN2DFormat.NCHW
                && c.getActivationFn() instanceof ActivationIdentity && c.getWeightNoise() == null
                && dataType == DataType.FLOAT && input != null && input.rank() == 4 && input.dataType() == DataType.FLOAT;
    }

    private static long ceilDiv(long a, int b) {
        return (a + b - 1) / b;
    }

    @Override
    public INDArray activate(boolean training, LayerWorkspaceMgr workspaceMgr) {
        assertInputSet(false);
        if (!fast()) {
            return super.activate(training, workspaceMgr);
        }
        applyDropOutIfNecessary(training, workspaceMgr);
        var c = layerConf();
        INDArray w = getParam(ConvolutionParamInitializer.WEIGHT_KEY);
        INDArray b = c.hasBias() ? getParam(ConvolutionParamInitializer.BIAS_KEY) : null;
        int[] k = c.getKernelSize(), s = c.getStride(), p = c.getPadding(), d = c.getDilation();
        boolean same = c.getConvolutionMode() == ConvolutionMode.Same;
        long h = same ? ceilDiv(input.size(2), s[0]) : ConvOps.convOut(input.size(2), k[0], s[0], p[0], d[0]);
        long wd = same ? ceilDiv(input.size(3), s[1]) : ConvOps.convOut(input.size(3), k[1], s[1], p[1], d[1]);
        INDArray out = ConvOps.activations(workspaceMgr, input.size(0), w.size(0), h, wd);
        if (PointwiseConvolution.pointwise(k, s, p, d)) {
            PointwiseConvolution.forward(input, w, b, out);
            return out;
        }
        if (DilatedConvolution.applies(s, d)) {
            DilatedConvolution.forward(input, w, b == null ? null : b.reshape(b.length()), out, k,
                    DilatedConvolution.padBefore(k, p, d, same), d);
            return out;
        }
        ConvOps.execByBatch("conv2d", ConvOps.inputs(input, w, b == null ? null : b.reshape(b.length()), null), new INDArray[] {out},
                ConvOps.with(ConvOps.args(k, s, p, d, same), 1));
        return out;
    }

    @Override
    public Pair<Gradient, INDArray> backpropGradient(INDArray epsilon, LayerWorkspaceMgr workspaceMgr) {
        assertInputSet(true);
        if (!fast()) {
            return super.backpropGradient(epsilon, workspaceMgr);
        }
        var c = layerConf();
        INDArray w = getParam(ConvolutionParamInitializer.WEIGHT_KEY);
        INDArray b = c.hasBias() ? getParam(ConvolutionParamInitializer.BIAS_KEY) : null;
        INDArray dW = gradientViews.get(ConvolutionParamInitializer.WEIGHT_KEY);
        INDArray dB = c.hasBias() ? gradientViews.get(ConvolutionParamInitializer.BIAS_KEY) : null;
        INDArray dx = ConvOps.gradient(workspaceMgr, input.shape());
        if (PointwiseConvolution.pointwise(c.getKernelSize(), c.getStride(), c.getPadding(), c.getDilation())) {
            PointwiseConvolution.backward(input, w, epsilon, dx, dW, dB);
        } else if (DilatedConvolution.applies(c.getStride(), c.getDilation())) {
            DilatedConvolution.backward(input, w, epsilon, dx, dW, dB == null ? null : dB.reshape(dB.length()),
                    c.getKernelSize(), DilatedConvolution.padBefore(c.getKernelSize(), c.getPadding(), c.getDilation(),
                            c.getConvolutionMode() == ConvolutionMode.Same), c.getDilation());
        } else if (UnfoldedConvolution.applies(c.getKernelSize(), c.getStride(), c.getDilation(), input.size(0),
                input.size(1), epsilon.size(1), epsilon.size(2) * epsilon.size(3))) {
            UnfoldedConvolution.backward(input, w, epsilon, dx, dW, dB == null ? null : dB.reshape(dB.length()),
                    c.getKernelSize(), c.getPadding(), c.getConvolutionMode() == ConvolutionMode.Same, workspaceMgr);
        } else {
            INDArray[] outs = dB == null ? new INDArray[] {dx, dW} : new INDArray[] {dx, dW, dB.reshape(dB.length())};
            ConvOps.execByBatch("conv2d_bp", ConvOps.inputs(input, w, b == null ? null : b.reshape(b.length()), epsilon), outs,
                    ConvOps.with(ConvOps.args(c.getKernelSize(), c.getStride(), c.getPadding(), c.getDilation(),
                            c.getConvolutionMode() == ConvolutionMode.Same), 1));
        }
        Gradient g = new DefaultGradient();
        if (dB != null) {
            g.setGradientFor(ConvolutionParamInitializer.BIAS_KEY, dB);
        }
        g.setGradientFor(ConvolutionParamInitializer.WEIGHT_KEY, dW, 'c');
        return new Pair<>(g, backpropDropOutIfPresent(dx));
    }
}
