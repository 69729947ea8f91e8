package org.segspark.models.graph;

import org.deeplearning4j.nn.conf.distribution.NormalDistribution;
import org.deeplearning4j.nn.weights.IWeightInit;
import org.deeplearning4j.nn.weights.WeightInitDistribution;

import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.conf.ConvolutionMode;
import org.deeplearning4j.nn.conf.graph.ElementWiseVertex;
import org.deeplearning4j.nn.conf.graph.MergeVertex;
import org.deeplearning4j.nn.conf.layers.ActivationLayer;
import org.deeplearning4j.nn.conf.layers.BatchNormalization;
import org.deeplearning4j.nn.conf.layers.CnnLossLayer;
import org.deeplearning4j.nn.conf.layers.ConvolutionLayer;
import org.deeplearning4j.nn.conf.layers.Deconvolution2D;
import org.deeplearning4j.nn.conf.layers.DenseLayer;
import org.deeplearning4j.nn.conf.layers.DepthwiseConvolution2D;
import org.deeplearning4j.nn.conf.layers.DropoutLayer;
import org.deeplearning4j.nn.conf.layers.GlobalPoolingLayer;
import org.deeplearning4j.nn.conf.layers.Layer;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.conf.layers.PoolingType;
import org.deeplearning4j.nn.conf.layers.SubsamplingLayer;
import org.deeplearning4j.nn.conf.layers.convolutional.Cropping2D;
import org.deeplearning4j.nn.conf.layers.misc.FrozenLayerWithBackprop;
import org.nd4j.linalg.activations.IActivation;
import org.nd4j.linalg.activations.impl.ActivationIdentity;
import org.nd4j.linalg.activations.impl.ActivationReLU;
import org.nd4j.linalg.activations.impl.ActivationReLU6;
import org.nd4j.linalg.activations.impl.ActivationSigmoid;
import org.nd4j.linalg.activations.impl.ActivationSoftmax;
import org.nd4j.linalg.lossfunctions.LossFunctions;
import org.segspark.models.layers.ActivationHardSwish;
import org.segspark.models.layers.BilinearUpsampling2D;
import org.segspark.models.layers.ChannelGateVertex;
import org.segspark.models.layers.FastBatchNormalization;
import org.segspark.models.layers.FastConvolution2D;
import org.segspark.models.layers.FastDeconvolution2D;
import org.segspark.models.layers.FastDepthwiseConvolution2D;
import org.segspark.models.layers.SpatialBroadcastVertex;

/**
 * Adds named layers to a DL4J graph with the conventions of the reference implementations
 * (PyTorch semantics: explicit symmetric padding, BN eps 1e-5 and momentum 0.1). Each method
 * returns the name of the vertex it added, to be used as the next one's input.
 *
 * <p>{@link Implementation#FAST} (the default) builds segspark's layers: convolutions that call
 * libnd4j's oneDNN ops directly and skip DL4J's forward recomputation in backprop, and batch norm
 * with the following activation fused into it. {@link Implementation#PLAIN} builds the same
 * network from DL4J's stock layers (a separate activation layer after each batch norm); the two
 * have identical parameters and compute the same function, which a test checks.
 *
 * <p>While {@link #frozen(boolean) frozen} is on, layers with parameters are added as
 * {@link FrozenLayerWithBackprop}: their parameters do not train, gradients still flow through.
 */
public final class GraphAssembler {
    public static final IActivation IDENTITY = new ActivationIdentity();
    public static final IActivation RELU = new ActivationReLU();
    public static final IActivation RELU6 = new ActivationReLU6();
    public static final IActivation HARDSWISH = new ActivationHardSwish();

    /** Which layer implementations to build the network from. */
    public enum Implementation {
        FAST, PLAIN
    }

    private final ComputationGraphConfiguration.GraphBuilder g;
    private final Implementation impl;
    private boolean frozen;

    public GraphAssembler(ComputationGraphConfiguration.GraphBuilder g) {
        this(g, Implementation.FAST);
    }

    public GraphAssembler(ComputationGraphConfiguration.GraphBuilder g, Implementation impl) {
        this.g = g;
        this.impl = impl;
    }

    public ComputationGraphConfiguration.GraphBuilder builder() {
        return g;
    }

    public Implementation implementation() {
        return impl;
    }

    /** Layers added from now on are (not) frozen. */
    public GraphAssembler frozen(boolean on) {
        this.frozen = on;
        return this;
    }

    /** Adds a layer, wrapped as frozen when freezing is on. */
    public String layer(String name, Layer layer, String... inputs) {
        g.addLayer(name, frozen ? new FrozenLayerWithBackprop(layer) : layer, inputs);
        return name;
    }

    /** Convolution with PyTorch-style padding {@code pad} on every side. */
    public String conv(String name, String in, int nIn, int nOut, int k, int stride, int pad, boolean bias) {
        return conv(name, in, nIn, nOut, k, stride, pad, 1, bias);
    }

    public String conv(String name, String in, int nIn, int nOut, int k, int stride, int pad, int dilation, boolean bias) {
        ConvolutionLayer.Builder b = new ConvolutionLayer.Builder(k, k).stride(stride, stride).padding(pad, pad)
                .dilation(dilation, dilation).convolutionMode(ConvolutionMode.Truncate).nIn(nIn).nOut(nOut)
                .hasBias(bias).activation(IDENTITY);
        return layer(name, impl == Implementation.FAST ? new FastConvolution2D(b) : b.build(), in);
    }

    /** Convolution with TensorFlow/Keras 'same' padding (output = input / stride; even kernels pad more after). */
    public String convSame(String name, String in, int nIn, int nOut, int k, int stride, boolean bias) {
        ConvolutionLayer.Builder b = new ConvolutionLayer.Builder(k, k).stride(stride, stride)
                .convolutionMode(ConvolutionMode.Same).nIn(nIn).nOut(nOut).hasBias(bias).activation(IDENTITY);
        return layer(name, impl == Implementation.FAST ? new FastConvolution2D(b) : b.build(), in);
    }

    /** Depthwise convolution (groups = channels, multiplier 1). */
    public String depthwise(String name, String in, int channels, int k, int stride, int pad, int dilation) {
        DepthwiseConvolution2D.Builder b = new DepthwiseConvolution2D.Builder(k, k).stride(stride, stride)
                .padding(pad, pad).dilation(dilation, dilation).convolutionMode(ConvolutionMode.Truncate)
                .depthMultiplier(1).nIn(channels).nOut(channels).hasBias(false).activation(IDENTITY);
        // DL4J's stock depthwise layer cannot run dilated on this libnd4j build; both builds use segspark's then.
        return layer(name, impl == Implementation.FAST || dilation > 1 ? new FastDepthwiseConvolution2D(b) : b.build(), in);
    }

    public String batchNorm(String name, String in, int channels) {
        return batchNorm(name, in, channels, IDENTITY);
    }

    /** Batch norm followed by {@code act}: one fused layer named {@code name}, or (plain) BN + {@code name_act}. */
    public String batchNorm(String name, String in, int channels, IActivation act) {
        if (impl == Implementation.FAST) {
            return layer(name, FastBatchNormalization.of(channels, act), in);
        }
        layer(name, new BatchNormalization.Builder().nIn(channels).nOut(channels).eps(1e-5).decay(0.9).build(), in);
        return act instanceof ActivationIdentity ? name : activation(name + "_act", name, act);
    }

    public String activation(String name, String in, IActivation activation) {
        g.addLayer(name, new ActivationLayer.Builder().activation(activation).build(), in);
        return name;
    }

    /** conv -> BN -> activation, named {@code name} and {@code name_BN} (Keras Applications' names). */
    public String convBnAct(String name, String in, int nIn, int nOut, int k, int stride, IActivation act) {
        String c = conv(name, in, nIn, nOut, k, stride, k / 2, false);
        return batchNorm(name + "_BN", c, nOut, act);
    }

    public String add(String name, String a, String b) {
        g.addVertex(name, new ElementWiseVertex(ElementWiseVertex.Op.Add), a, b);
        return name;
    }

    public String concat(String name, String... inputs) {
        g.addVertex(name, new MergeVertex(), inputs);
        return name;
    }

    /**
     * The transposed convolution of PyTorch's {@code ConvTranspose2d(k=3, stride=2, padding=1,
     * output_padding=1)} (output = 2 x input): a 'Truncate' deconvolution with no padding (size
     * 2n + 1) cropped by one row at the top and one column at the left. Same parameters, same
     * function, and libnd4j's oneDNN deconvolution accepts this form, unlike 'Same' mode.
     */
    public String upsample2x(String name, String in, int nIn, int nOut, boolean bias) {
        String d = deconv(name, in, nIn, nOut, 3, 2, 0, bias);
        return crop(name + "_crop", d, 1, 0, 1, 0);
    }

    /** A 'Truncate' transposed convolution: output = stride * (input - 1) + k - 2 * pad. */
    public String deconv(String name, String in, int nIn, int nOut, int k, int stride, int pad, boolean bias) {
        Deconvolution2D.Builder b = new Deconvolution2D.Builder(k, k).stride(stride, stride).padding(pad, pad)
                .convolutionMode(ConvolutionMode.Truncate).nIn(nIn).nOut(nOut).hasBias(bias).activation(IDENTITY);
        return layer(name, impl == Implementation.FAST ? new FastDeconvolution2D(b) : b.build(), in);
    }

    public String crop(String name, String in, int top, int bottom, int left, int right) {
        g.addLayer(name, new Cropping2D.Builder(top, bottom, left, right).build(), in);
        return name;
    }

    public String maxPool(String name, String in, int k, int stride) {
        g.addLayer(name, new SubsamplingLayer.Builder(PoolingType.MAX).kernelSize(k, k).stride(stride, stride)
                .convolutionMode(ConvolutionMode.Truncate).build(), in);
        return name;
    }

    /** Global average pooling to [n, c] ({@code keepDims}: [n, c, 1, 1]). */
    public String globalAvgPool(String name, String in, boolean keepDims) {
        g.addLayer(name, new GlobalPoolingLayer.Builder(PoolingType.AVG).collapseDimensions(!keepDims).build(), in);
        return name;
    }

    /** Dropout with PyTorch's meaning of {@code rate}: the share of activations zeroed (DL4J takes the share kept). */
    public String dropout(String name, String in, double rate) {
        g.addLayer(name, new DropoutLayer.Builder(1.0 - rate).build(), in);
        return name;
    }

    /**
     * torchvision's initialisation of fully connected layers in its MobileNets and VGG: weights
     * N(0, 0.01), biases 0. He initialisation there starts the classifier with logits large
     * enough to cost epochs of training.
     */
    public static final IWeightInit LINEAR_INIT = new WeightInitDistribution(new NormalDistribution(0, 0.01));

    public String dense(String name, String in, int nIn, int nOut, IActivation act) {
        return layer(name, new DenseLayer.Builder().nIn(nIn).nOut(nOut).hasBias(true).activation(act)
                .weightInit(LINEAR_INIT).build(), in);
    }

    /** The classifier's last layer: dense to {@code classes}, softmax, cross-entropy; weights N(0, 0.01). */
    public String softmaxOutput(String name, String in, int nIn, int classes) {
        return softmaxOutput(name, in, nIn, classes, LINEAR_INIT);
    }

    public String softmaxOutput(String name, String in, int nIn, int classes, IWeightInit init) {
        return layer(name, new OutputLayer.Builder(LossFunctions.LossFunction.MCXENT).nIn(nIn).nOut(classes)
                .activation(new ActivationSoftmax()).weightInit(init).build(), in);
    }

    /** The segmentation loss over logits [n, K, h, w]: per-pixel softmax and cross-entropy (label mask = ignore). */
    public String pixelSoftmaxOutput(String name, String logits) {
        g.addLayer(name, new CnnLossLayer.Builder(LossFunctions.LossFunction.MCXENT).activation(new ActivationSoftmax())
                .build(), logits);
        return name;
    }

    /** Binary segmentation over one logit channel [n, 1, h, w]: per-pixel sigmoid and binary cross-entropy. */
    public String pixelSigmoidOutput(String name, String logits) {
        g.addLayer(name, new CnnLossLayer.Builder(LossFunctions.LossFunction.XENT).activation(new ActivationSigmoid())
                .build(), logits);
        return name;
    }

    /** Squeeze-and-excite's gate: x * hardsigmoid(s), s [n, c, 1, 1]. */
    public String channelGate(String name, String x, String s) {
        g.addVertex(name, new ChannelGateVertex(), x, s);
        return name;
    }

    public String bilinear(String name, String in, int scale) {
        g.addLayer(name, new BilinearUpsampling2D(scale), in);
        return name;
    }

    /** A pooled [n, c, 1, 1] spread over the plane of {@code reference}. */
    public String spatialBroadcast(String name, String pooled, String reference) {
        g.addVertex(name, new SpatialBroadcastVertex(), pooled, reference);
        return name;
    }
}
