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

/**
 * Adds named layers to a DL4J graph with the conventions of the reference implementations
 * (PyTorch semantics: explicit symmetric padding, BN eps 1e-5 and momentum 0.1). Each method
 * returns the name of the vertex it added, to be used as the next one's input.
 */
public final class GraphAssembler {
    private final ComputationGraphConfiguration.GraphBuilder g;

    public GraphAssembler(ComputationGraphConfiguration.GraphBuilder g) {
        this.g = g;
    }

    public ComputationGraphConfiguration.GraphBuilder builder() {
        return g;
    }

    /** Convolution with PyTorch-style padding {@code pad} on every side. */
    public String conv(String name, String in, int nIn, int nOut, int k, int stride, int pad, boolean bias) {
        g.addLayer(name, new ConvolutionLayer.Builder(k, k).stride(stride, stride).padding(pad, pad)
                .convolutionMode(ConvolutionMode.Truncate).nIn(nIn).nOut(nOut).hasBias(bias)
                .activation(Activation.IDENTITY).build(), in);
        return name;
    }

    /** Depthwise convolution (groups = channels, multiplier 1). */
    public String depthwise(String name, String in, int channels, int k, int stride, int pad, int dilation) {
        g.addLayer(name, new DepthwiseConvolution2D.Builder(k, k).stride(stride, stride).padding(pad, pad)
                .dilation(dilation, dilation).convolutionMode(ConvolutionMode.Truncate).depthMultiplier(1)
                .nIn(channels).nOut(channels).hasBias(false).activation(Activation.IDENTITY).build(), in);
        return name;
    }

    public String batchNorm(String name, String in, int channels) {
        g.addLayer(name, new BatchNormalization.Builder().nIn(channels).nOut(channels).eps(1e-5).decay(0.9).build(), in);
        return name;
    }

    public String activation(String name, String in, Activation activation) {
        g.addLayer(name, new ActivationLayer.Builder().activation(activation).build(), in);
        return name;
    }

    /** conv -> BN -> activation, names {@code name}, {@code name_BN}, {@code name_relu}. */
    public String convBnAct(String name, String in, int nIn, int nOut, int k, int stride, Activation act) {
        String c = conv(name, in, nIn, nOut, k, stride, k / 2, false);
        String b = batchNorm(name + "_BN", c, nOut);
        return activation(name + "_relu", b, act);
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
        g.addLayer(name, new Deconvolution2D.Builder(3, 3).stride(2, 2).padding(0, 0)
                .convolutionMode(ConvolutionMode.Truncate).nIn(nIn).nOut(nOut).hasBias(bias)
                .activation(Activation.IDENTITY).build(), in);
        String crop = name + "_crop";
        g.addLayer(crop, new Cropping2D.Builder(1, 0, 1, 0).build(), name);
        return crop;
    }
}
