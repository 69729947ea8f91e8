package org.segspark.models.graph;

import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.conf.ConvolutionMode;
import org.deeplearning4j.nn.conf.graph.ElementWiseVertex;
import org.deeplearning4j.nn.conf.graph.MergeVertex;
import org.deeplearning4j.nn.conf.layers.ActivationLayer;
import org.deeplearning4j.nn.conf.layers.BatchNormalization;
import org.deeplearning4j.nn.conf.layers.ConvolutionLayer;
import org.deeplearning4j.nn.conf.layers.Deconvolution2D;
import org.deeplearning4j.nn.conf.layers.DepthwiseConvolution2D;
import org.deeplearning4j.nn.conf.layers.convolutional.Cropping2D;
import org.nd4j.linalg.activations.Activation;
import org.segspark.models.layers.FastBatchNormalization;
import org.segspark.models.layers.FastConvolution2D;
import org.segspark.models.layers.FastDeconvolution2D;
import org.segspark.models.layers.FastDepthwiseConvolution2D;

/**
 * Adds named layers to a DL4J graph with the conventions of the reference implementations
 * (PyTorch semantics: explicit symmetric padding, BN eps 1e-5 and momentum 0.1). Each method
 * returns the name of the vertex it added, to be used as the next one's input.
 *
 * <p>{@link Implementation#FAST} (the default) builds segspark's layers: convolutions that call
 * libnd4j's oneDNN ops directly and skip DL4J's forward recomputation in backprop, and batch norm
 * with the following ReLU/ReLU6 fused into it. {@link Implementation#PLAIN} builds the same
 * network from DL4J's stock layers (a separate activation layer after each batch norm); the two
 * have identical parameters and compute the same function, which a test checks.
 */
public final class GraphAssembler {
    /** Which layer implementations to build the network from. */
    public enum Implementation {
        FAST, PLAIN
    }

    private final ComputationGraphConfiguration.GraphBuilder g;
    private final Implementation impl;

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

    /** Convolution with PyTorch-style padding {@code pad} on every side. */
    public String conv(String name, String in, int nIn, int nOut, int k, int stride, int pad, boolean bias) {
        ConvolutionLayer.Builder b = new ConvolutionLayer.Builder(k, k).stride(stride, stride).padding(pad, pad)
                .convolutionMode(ConvolutionMode.Truncate).nIn(nIn).nOut(nOut).hasBias(bias)
                .activation(Activation.IDENTITY);
        g.addLayer(name, impl == Implementation.FAST ? new FastConvolution2D(b) : b.build(), in);
        return name;
    }

    /** Depthwise convolution (groups = channels, multiplier 1). */
    public String depthwise(String name, String in, int channels, int k, int stride, int pad, int dilation) {
        DepthwiseConvolution2D.Builder b = new DepthwiseConvolution2D.Builder(k, k).stride(stride, stride)
                .padding(pad, pad).dilation(dilation, dilation).convolutionMode(ConvolutionMode.Truncate)
                .depthMultiplier(1).nIn(channels).nOut(channels).hasBias(false).activation(Activation.IDENTITY);
        g.addLayer(name, impl == Implementation.FAST ? new FastDepthwiseConvolution2D(b) : b.build(), in);
        return name;
    }

    public String batchNorm(String name, String in, int channels) {
        return batchNorm(name, in, channels, Activation.IDENTITY);
    }

    /** Batch norm followed by {@code act}: one fused layer named {@code name}, or (plain) BN + {@code name_act}. */
    public String batchNorm(String name, String in, int channels, Activation act) {
        if (impl == Implementation.FAST) {
            g.addLayer(name, FastBatchNormalization.of(channels, act), in);
            return name;
        }
        g.addLayer(name, new BatchNormalization.Builder().nIn(channels).nOut(channels).eps(1e-5).decay(0.9).build(), in);
        return act == Activation.IDENTITY ? name : activation(name + "_act", name, act);
    }

    public String activation(String name, String in, Activation activation) {
        g.addLayer(name, new ActivationLayer.Builder().activation(activation).build(), in);
        return name;
    }

    /** conv -> BN -> activation, named {@code name} and {@code name_BN} (Keras Applications' names). */
    public String convBnAct(String name, String in, int nIn, int nOut, int k, int stride, Activation act) {
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
        Deconvolution2D.Builder b = new Deconvolution2D.Builder(3, 3).stride(2, 2).padding(0, 0)
                .convolutionMode(ConvolutionMode.Truncate).nIn(nIn).nOut(nOut).hasBias(bias)
                .activation(Activation.IDENTITY);
        g.addLayer(name, impl == Implementation.FAST ? new FastDeconvolution2D(b) : b.build(), in);
        String crop = name + "_crop";
        g.addLayer(crop, new Cropping2D.Builder(1, 0, 1, 0).build(), name);
        return crop;
    }
}
