package org.segspark.models.layers;

import org.segspark.models.nd4j.OneDnn;

import org.deeplearning4j.nn.conf.CNN2DFormat;
import org.deeplearning4j.nn.conf.ConvolutionMode;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.layers.DepthwiseConvolution2D;
import org.deeplearning4j.nn.gradient.DefaultGradient;
import org.deeplearning4j.nn.gradient.Gradient;
import org.deeplearning4j.nn.layers.convolution.DepthwiseConvolution2DLayer;
import org.deeplearning4j.nn.params.DepthwiseConvolutionParamInitializer;
import org.deeplearning4j.nn.workspace.LayerWorkspaceMgr;
import org.nd4j.common.primitives.Pair;
import org.nd4j.linalg.activations.impl.ActivationIdentity;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Computation of {@link FastDepthwiseConvolution2D}: libnd4j's ops on oneDNN, except where they are
 * slow (dilated convolutions, both passes on small output planes), which segspark's Java kernels
 * compute.
 */
public class FastDepthwiseConvolution2DLayer extends DepthwiseConvolution2DLayer {
    private static final long serialVersionUID = 1L;

    public FastDepthwiseConvolution2DLayer(NeuralNetConfiguration conf, DataType dataType) {
        super(conf, dataType);
    }

    /**
     * The geometry when segspark's Java kernels can compute this layer: square, multiplier 1, NCHW
     * float, explicit padding, identity activation, no dropout or weight noise. Else null.
     */
    private DepthwiseKernels.Shape geometry() {
        var c = layerConf();
        int[] k = c.getKernelSize(), s = c.getStride(), p = c.getPadding(), d = c.getDilation();
        if (input == null || input.rank() != 4 || input.dataType() != DataType.FLOAT || dataType != DataType.FLOAT
                || c.getCnn2dDataFormat() != CNN2DFormat.NCHW || c.getConvolutionMode() == ConvolutionMode.Same
                || !(c.getActivationFn() instanceof ActivationIdentity) || c.getWeightNoise() != null || c.getIDropout() != null
                || ((DepthwiseConvolution2D) c).getDepthMultiplier() != 1 || k[0] != k[1] || s[0] != s[1] || p[0] != p[1] || d[0] != d[1]) {
            return null;
        }
        return new DepthwiseKernels.Shape((int) input.size(0), (int) input.size(1), (int) input.size(2), (int) input.size(3),
                k[0], s[0], p[0], d[0]);
    }

    /**
     * Small output planes go to {@link SmallPlaneDepthwiseKernels} in both directions (libnd4j is
     * slow there: in MobileNetV3-Small's training step at 32x32, batch 4, its forward pass on the
     * 1x1 and 2x2 outputs took 2.7 + 1.9 ms, the Java kernels 0.1 + 0.3); dilated convolutions
     * to Java kernels in both directions (oneDNN cannot run them on this build, libnd4j's generic
     * path is slow).
     */
    private static boolean small(DepthwiseKernels.Shape s) {
        return (long) s.outH() * s.outW() <= SmallPlaneDepthwiseKernels.MAX_OUTPUT_PLANE;
    }

    private static boolean dilated(DepthwiseKernels.Shape s) {
        return s.dilation() > 1;
    }

    @Override
    public INDArray activate(boolean training, LayerWorkspaceMgr workspaceMgr) {
        assertInputSet(false);
        DepthwiseKernels.Shape shape = geometry();
        if (shape == null) {
            int[] d = layerConf().getDilation();
            if (d[0] > 1 || d[1] > 1) {
                return OneDnn.withoutOneDnn(() -> super.activate(training, workspaceMgr));
            }
            return super.activate(training, workspaceMgr);
        }
        if (!(dilated(shape) || small(shape))) {
            return nativeForward(shape, workspaceMgr);
        }
        INDArray x = DenseArrays.contiguous(input);
        INDArray out = ConvOps.activations(workspaceMgr, shape.n(), shape.c(), shape.outH(), shape.outW());
        float[] bias = layerConf().hasBias() ? PlaneKernels.read(getParam(DepthwiseConvolutionParamInitializer.BIAS_KEY)) : null;
        float[] weights = PlaneKernels.read(getParam(DepthwiseConvolutionParamInitializer.WEIGHT_KEY));
        if (small(shape)) {
            SmallPlaneDepthwiseKernels.forward(DenseArrays.buffer(x), weights, bias, DenseArrays.buffer(out), shape);
        } else {
            DepthwiseKernels.forward(DenseArrays.buffer(x), weights, bias, DenseArrays.buffer(out), shape);
        }
        return out;
    }

    /** libnd4j's depthwise_conv2d (oneDNN), split by sample over the kernel threads. */
    private INDArray nativeForward(DepthwiseKernels.Shape shape, LayerWorkspaceMgr workspaceMgr) {
        var c = layerConf();
        INDArray out = ConvOps.activations(workspaceMgr, shape.n(), shape.c(), shape.outH(), shape.outW());
        INDArray b = c.hasBias() ? getParam(DepthwiseConvolutionParamInitializer.BIAS_KEY) : null;
        ConvOps.execByBatch("depthwise_conv2d",
                ConvOps.inputs(input, getParam(DepthwiseConvolutionParamInitializer.WEIGHT_KEY), b, null),
                new INDArray[] {out}, ConvOps.args(c.getKernelSize(), c.getStride(), c.getPadding(), c.getDilation()));
        return out;
    }

    private Pair<Gradient, INDArray> javaBackward(DepthwiseKernels.Shape shape, INDArray epsilon, LayerWorkspaceMgr workspaceMgr) {
        INDArray x = DenseArrays.contiguous(input), dy = DenseArrays.contiguous(epsilon);
        INDArray dx = ConvOps.gradient(workspaceMgr, input.shape());
        INDArray dW = gradientViews.get(DepthwiseConvolutionParamInitializer.WEIGHT_KEY);
        boolean bias = layerConf().hasBias();
        float[] dWeights = new float[(int) dW.length()], dBias = bias ? new float[shape.c()] : null;
        float[] weights = PlaneKernels.read(getParam(DepthwiseConvolutionParamInitializer.WEIGHT_KEY));
        if (small(shape)) {
            SmallPlaneDepthwiseKernels.backward(DenseArrays.buffer(x), weights, DenseArrays.buffer(dy), DenseArrays.buffer(dx),
                    dWeights, dBias, shape);
        } else {
            DepthwiseKernels.backward(DenseArrays.buffer(x), weights, DenseArrays.buffer(dy), DenseArrays.buffer(dx),
                    dWeights, dBias, shape);
        }
        PlaneKernels.write(dW, dWeights);
        Gradient g = new DefaultGradient();
        if (bias) {
            INDArray dB = gradientViews.get(DepthwiseConvolutionParamInitializer.BIAS_KEY);
            PlaneKernels.write(dB, dBias);
            g.setGradientFor(DepthwiseConvolutionParamInitializer.BIAS_KEY, dB);
        }
        g.setGradientFor(DepthwiseConvolutionParamInitializer.WEIGHT_KEY, dW, 'c');
        return new Pair<>(g, dx);
    }

    @Override
    public Pair<Gradient, INDArray> backpropGradient(INDArray epsilon, LayerWorkspaceMgr workspaceMgr) {
        assertInputSet(true);
        DepthwiseKernels.Shape shape = geometry();
        if (shape != null && (small(shape) || dilated(shape))) {
            return javaBackward(shape, epsilon, workspaceMgr);
        }
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
        ConvOps.execByBatch("depthwise_conv2d_bp", in, out,
                ConvOps.args(c.getKernelSize(), c.getStride(), c.getPadding(), c.getDilation()));
        Gradient g = new DefaultGradient();
        if (c.hasBias()) {
            g.setGradientFor(DepthwiseConvolutionParamInitializer.BIAS_KEY, gradientViews.get(DepthwiseConvolutionParamInitializer.BIAS_KEY));
        }
        g.setGradientFor(DepthwiseConvolutionParamInitializer.WEIGHT_KEY, dW, 'c');
        return new Pair<>(g, backpropDropOutIfPresent(dx));
    }
}
