package org.segspark.models.onnx;

import org.nd4j.linalg.activations.IActivation;

import org.deeplearning4j.nn.conf.CNN2DFormat;
import org.deeplearning4j.nn.conf.ConvolutionMode;
import org.deeplearning4j.nn.conf.graph.ElementWiseVertex;
import org.deeplearning4j.nn.conf.graph.MergeVertex;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.ActivationLayer;
import org.deeplearning4j.nn.conf.layers.BatchNormalization;
import org.deeplearning4j.nn.conf.layers.CnnLossLayer;
import org.deeplearning4j.nn.conf.layers.ConvolutionLayer;
import org.deeplearning4j.nn.conf.layers.Deconvolution2D;
import org.deeplearning4j.nn.conf.layers.DenseLayer;
import org.deeplearning4j.nn.conf.layers.DepthwiseConvolution2D;
import org.deeplearning4j.nn.conf.layers.DropoutLayer;
import org.deeplearning4j.nn.conf.layers.GlobalPoolingLayer;
import org.deeplearning4j.nn.conf.layers.LossLayer;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.conf.layers.PoolingType;
import org.deeplearning4j.nn.conf.layers.SeparableConvolution2D;
import org.deeplearning4j.nn.conf.layers.SubsamplingLayer;
import org.deeplearning4j.nn.conf.layers.convolutional.Cropping2D;
import org.deeplearning4j.nn.params.BatchNormalizationParamInitializer;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.activations.impl.ActivationIdentity;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.segspark.models.layers.BilinearUpsampling2D;
import org.segspark.models.layers.ChannelGateVertex;
import org.segspark.models.layers.SpatialBroadcastVertex;
import org.segspark.models.onnx.OnnxGraph.Attr;

import java.util.ArrayList;
import java.util.List;
import java.util.Arrays;

/**
 * The DL4J layers and vertices segspark's networks are made of, and segspark's own layers, as
 * ONNX operators. Subclasses come before their parents (a deconvolution is a convolution to DL4J).
 */
final class StandardTranslators {
    private StandardTranslators() {
    }

    static List<VertexTranslator> all() {
        List<VertexTranslator> t = new ArrayList<>();
        t.add(VertexTranslator.of(SeparableConvolution2D.class, c -> {
            throw c.unsupported("separable convolutions are not exported (no registry model uses them)");
        }));
        t.add(VertexTranslator.of(DepthwiseConvolution2D.class, StandardTranslators::depthwise));
        t.add(VertexTranslator.of(Deconvolution2D.class, StandardTranslators::deconvolution));
        t.add(VertexTranslator.of(ConvolutionLayer.class, StandardTranslators::convolution));
        t.add(VertexTranslator.of(BatchNormalization.class, StandardTranslators::batchNorm));
        t.add(VertexTranslator.of(ActivationLayer.class, c -> c.activation(c.input(), c.<ActivationLayer>conf().getActivationFn())));
        t.add(VertexTranslator.of(OutputLayer.class, c -> dense(c, c.<OutputLayer>conf().hasBias(), c.<OutputLayer>conf().getActivationFn())));
        t.add(VertexTranslator.of(DenseLayer.class, c -> dense(c, c.<DenseLayer>conf().hasBias(), c.<DenseLayer>conf().getActivationFn())));
        t.add(VertexTranslator.of(CnnLossLayer.class, c -> c.activation(c.input(), c.<CnnLossLayer>conf().getActivationFn())));
        t.add(VertexTranslator.of(LossLayer.class, c -> c.activation(c.input(), c.<LossLayer>conf().getActivationFn())));
        t.add(VertexTranslator.of(SubsamplingLayer.class, StandardTranslators::pooling));
        t.add(VertexTranslator.of(GlobalPoolingLayer.class, StandardTranslators::globalPooling));
        t.add(VertexTranslator.of(DropoutLayer.class, VertexContext::input));
        t.add(VertexTranslator.of(Cropping2D.class, StandardTranslators::crop));
        t.add(VertexTranslator.of(BilinearUpsampling2D.class, StandardTranslators::bilinear));
        t.add(VertexTranslator.of(ElementWiseVertex.class, StandardTranslators::elementWise));
        t.add(VertexTranslator.of(MergeVertex.class, c -> c.graph().node("Concat", c.name(), c.inputs(), Attr.of("axis", 1L))));
        t.add(VertexTranslator.of(ChannelGateVertex.class, c -> {
            String gate = c.graph().node("HardSigmoid", c.name() + "_hardsigmoid", List.of(c.inputs().get(1)),
                    Attr.of("alpha", 1f / 6), Attr.of("beta", 0.5f));
            return c.graph().node("Mul", c.name(), List.of(c.input(), gate));
        }));
        t.add(VertexTranslator.of(SpatialBroadcastVertex.class, c -> {
            InputType.InputTypeConvolutional o = (InputType.InputTypeConvolutional) c.outputType();
            String shape = c.graph().int64s(c.name() + "_shape", 1, o.getChannels(), o.getHeight(), o.getWidth());
            return c.graph().node("Expand", c.name(), List.of(c.input(), shape));
        }));
        return t;
    }

    private static InputType.InputTypeConvolutional cnn(VertexContext c, int input) {
        if (!(c.inputType(input) instanceof InputType.InputTypeConvolutional t)) {
            throw c.unsupported("input " + c.inputType(input) + " is not an image tensor");
        }
        return t;
    }

    /** ONNX pads [top, left, bottom, right] for DL4J's convolution modes at a known input size. */
    static long[] pads(VertexContext c, ConvolutionMode mode, long h, long w, int[] k, int[] s, int[] d, int[] p) {
        if (mode == ConvolutionMode.Same) {
            long[] in = {h, w}, out = new long[4];
            for (int a = 0; a < 2; a++) {
                long size = (in[a] + s[a] - 1) / s[a];
                long effective = (long) (k[a] - 1) * d[a] + 1;
                long total = Math.max((size - 1) * s[a] + effective - in[a], 0);
                out[a] = total / 2;
                out[a + 2] = total - total / 2;
            }
            return out;
        }
        if (mode == ConvolutionMode.Truncate || mode == ConvolutionMode.Strict) {
            return new long[] {p[0], p[1], p[0], p[1]};
        }
        throw c.unsupported("convolution mode " + mode);
    }

    private static void requireNchw(VertexContext c, CNN2DFormat format) {
        if (format != null && format != CNN2DFormat.NCHW) {
            throw c.unsupported("data format " + format + " (the exporter writes NCHW graphs)");
        }
    }

    private static String conv(VertexContext c, String op, ConvolutionLayer l, INDArray w, int group, int outAxis, long[] pads) {
        OnnxGraph g = c.graph();
        String weights = g.floats(c.name() + "_W", w);
        List<String> in = new ArrayList<>(List.of(c.input(), weights));
        INDArray b = null;
        String bias = null;
        if (l.hasBias()) {
            b = c.param("b").reshape(-1);
            bias = g.floats(c.name() + "_b", b);
            in.add(bias);
        }
        List<Attr> attrs = new ArrayList<>(List.of(
                Attr.ints("kernel_shape", l.getKernelSize()[0], l.getKernelSize()[1]),
                Attr.ints("strides", l.getStride()[0], l.getStride()[1]),
                Attr.ints("pads", pads),
                Attr.ints("dilations", l.getDilation()[0], l.getDilation()[1])));
        if (group > 1) {
            attrs.add(Attr.of("group", (long) group));
        }
        String out = g.node(op, c.name(), in, attrs.toArray(new Attr[0]));
        if (l.getActivationFn() == null || l.getActivationFn() instanceof ActivationIdentity) {
            c.offerFold(out, new VertexContext.ConvFold(out, weights, w, bias, b, outAxis));
        }
        return c.activation(out, l.getActivationFn());
    }

    private static String convolution(VertexContext c) {
        ConvolutionLayer l = c.conf();
        requireNchw(c, l.getCnn2dDataFormat());
        InputType.InputTypeConvolutional in = cnn(c, 0);
        long[] pads = pads(c, l.getConvolutionMode(), in.getHeight(), in.getWidth(), l.getKernelSize(), l.getStride(),
                l.getDilation(), l.getPadding());
        // DL4J's weights are [out, in, kh, kw], as ONNX's
        return conv(c, "Conv", l, c.param("W"), 1, 0, pads);
    }

    private static String depthwise(VertexContext c) {
        DepthwiseConvolution2D l = c.conf();
        requireNchw(c, l.getCnn2dDataFormat());
        InputType.InputTypeConvolutional in = cnn(c, 0);
        long[] pads = pads(c, l.getConvolutionMode(), in.getHeight(), in.getWidth(), l.getKernelSize(), l.getStride(),
                l.getDilation(), l.getPadding());
        // DL4J: [kh, kw, in, multiplier]; ONNX grouped convolution: [in * multiplier, 1, kh, kw], output in*m + j
        INDArray w = c.param("W");
        long kh = w.size(0), kw = w.size(1), channels = w.size(2), m = w.size(3);
        INDArray onnx = w.permute(2, 3, 0, 1).dup('c').reshape(channels * m, 1, kh, kw);
        return conv(c, "Conv", l, onnx, (int) channels, 0, pads);
    }

    private static String deconvolution(VertexContext c) {
        Deconvolution2D l = c.conf();
        requireNchw(c, l.getCnn2dDataFormat());
        if (l.getConvolutionMode() != ConvolutionMode.Truncate && l.getConvolutionMode() != ConvolutionMode.Strict) {
            throw c.unsupported("transposed convolution in mode " + l.getConvolutionMode() + " (segspark builds Truncate ones)");
        }
        int[] p = l.getPadding();
        // DL4J's weights are [in, out, kh, kw], as ONNX ConvTranspose's
        return conv(c, "ConvTranspose", l, c.param("W"), 1, 1, new long[] {p[0], p[1], p[0], p[1]});
    }

    private static String batchNorm(VertexContext c) {
        BatchNormalization l = c.conf();
        long channels = c.param(BatchNormalizationParamInitializer.GLOBAL_MEAN).length();
        float[] gamma = l.isLockGammaBeta() ? filled(channels, l.getGamma()) : c.floats(BatchNormalizationParamInitializer.GAMMA);
        float[] beta = l.isLockGammaBeta() ? filled(channels, l.getBeta()) : c.floats(BatchNormalizationParamInitializer.BETA);
        float[] mean = c.floats(BatchNormalizationParamInitializer.GLOBAL_MEAN);
        double eps = l.getEps();
        // sqrt(var + eps) from the running variance, or from (DL4J's default) log10 of its square
        // root: DL4J's layers, stock and segspark's, add eps to 10^(2 log10std) in inference
        double[] std = new double[(int) channels];
        if (l.isUseLogStd()) {
            float[] log10std = c.floats(BatchNormalizationParamInitializer.GLOBAL_LOG_STD);
            for (int i = 0; i < channels; i++) {
                std[i] = Math.sqrt(Math.pow(10, 2.0 * log10std[i]) + eps);
            }
        } else {
            float[] var = c.floats(BatchNormalizationParamInitializer.GLOBAL_VAR);
            for (int i = 0; i < channels; i++) {
                std[i] = Math.sqrt(var[i] + eps);
            }
        }
        VertexContext.ConvFold fold = c.fold(c.input());
        if (fold != null) {
            return c.activation(foldInto(c, fold, gamma, beta, mean, std), l.getActivationFn());
        }
        float[] var = new float[(int) channels];
        for (int i = 0; i < channels; i++) {
            var[i] = (float) (std[i] * std[i] - eps);
        }
        OnnxGraph g = c.graph();
        String out = g.node("BatchNormalization", c.name(), List.of(c.input(),
                g.floats(c.name() + "_scale", gamma, channels), g.floats(c.name() + "_bias", beta, channels),
                g.floats(c.name() + "_mean", mean, channels), g.floats(c.name() + "_var", var, channels)),
                Attr.of("epsilon", (float) eps));
        return c.activation(out, l.getActivationFn());
    }

    /** Scales the convolution's weights and shifts its bias so that it computes conv + batch norm. */
    private static String foldInto(VertexContext c, VertexContext.ConvFold f, float[] gamma, float[] beta, float[] mean,
                                   double[] std) {
        int channels = gamma.length;
        float[] scale = new float[channels], shift = new float[channels];
        for (int o = 0; o < channels; o++) {
            scale[o] = (float) (gamma[o] / std[o]);
        }
        long[] along = new long[f.w().rank()];
        Arrays.fill(along, 1);
        along[f.outAxis()] = channels;
        INDArray w = f.w().castTo(DataType.FLOAT).mul(Nd4j.createFromArray(scale).reshape(along));
        c.graph().replaceFloats(f.weights(), w);
        float[] b = f.b() == null ? new float[channels] : f.b().castTo(DataType.FLOAT).toFloatVector();
        for (int o = 0; o < channels; o++) {
            shift[o] = (b[o] - mean[o]) * scale[o] + beta[o];
        }
        if (f.bias() != null) {
            c.graph().replaceFloats(f.bias(), Nd4j.createFromArray(shift));
        } else {
            c.graph().producer(f.node()).addInput(c.graph().floats(c.name() + "_folded_b", shift, channels));
        }
        return f.node();
    }

    private static float[] filled(long n, double v) {
        float[] a = new float[(int) n];
        Arrays.fill(a, (float) v);
        return a;
    }

    private static String dense(VertexContext c, boolean hasBias, IActivation act) {
        OnnxGraph g = c.graph();
        // DL4J's weights are [in, out]: y = x W + b
        String w = g.floats(c.name() + "_W", c.param("W"));
        String out = hasBias
                ? g.node("Gemm", c.name(), List.of(c.input(), w, g.floats(c.name() + "_b", c.param("b").reshape(-1))))
                : g.node("MatMul", c.name(), List.of(c.input(), w));
        return c.activation(out, act);
    }

    private static String pooling(VertexContext c) {
        SubsamplingLayer l = c.conf();
        requireNchw(c, l.getCnn2dDataFormat());
        InputType.InputTypeConvolutional in = cnn(c, 0);
        long[] pads = pads(c, l.getConvolutionMode(), in.getHeight(), in.getWidth(), l.getKernelSize(), l.getStride(),
                l.getDilation(), l.getPadding());
        List<Attr> attrs = new ArrayList<>(List.of(Attr.ints("kernel_shape", l.getKernelSize()[0], l.getKernelSize()[1]),
                Attr.ints("strides", l.getStride()[0], l.getStride()[1]), Attr.ints("pads", pads)));
        boolean dilated = l.getDilation()[0] != 1 || l.getDilation()[1] != 1;
        if (l.getPoolingType() == PoolingType.MAX) {
            if (dilated) {
                attrs.add(Attr.ints("dilations", l.getDilation()[0], l.getDilation()[1]));
            }
            return c.graph().node("MaxPool", c.name(), List.of(c.input()), attrs.toArray(new Attr[0]));
        }
        if (l.getPoolingType() == PoolingType.AVG && !dilated) {
            attrs.add(Attr.of("count_include_pad", l.isAvgPoolIncludePadInDivisor() ? 1L : 0L));
            return c.graph().node("AveragePool", c.name(), List.of(c.input()), attrs.toArray(new Attr[0]));
        }
        throw c.unsupported(l.getPoolingType() + " pooling" + (dilated ? " with dilation" : ""));
    }

    private static String globalPooling(VertexContext c) {
        GlobalPoolingLayer l = c.conf();
        cnn(c, 0);
        int[] dims = l.getPoolingDimensions();
        if (dims != null && !(dims.length == 2 && dims[0] == 2 && dims[1] == 3)) {
            throw c.unsupported("pooling over dimensions " + Arrays.toString(dims));
        }
        String op = switch (l.getPoolingType()) {
            case AVG -> "GlobalAveragePool";
            case MAX -> "GlobalMaxPool";
            default -> throw c.unsupported(l.getPoolingType() + " global pooling");
        };
        String pooled = c.graph().node(op, c.name(), List.of(c.input()));
        return l.isCollapseDimensions() ? c.graph().node("Flatten", c.name() + "_flat", List.of(pooled), Attr.of("axis", 1L))
                : pooled;
    }

    private static String crop(VertexContext c) {
        Cropping2D l = c.conf();
        requireNchw(c, l.getDataFormat());
        InputType.InputTypeConvolutional in = cnn(c, 0);
        int[] k = l.getCropping(); // top, bottom, left, right
        OnnxGraph g = c.graph();
        return g.node("Slice", c.name(), List.of(c.input(), g.int64s(c.name() + "_starts", k[0], k[2]),
                g.int64s(c.name() + "_ends", in.getHeight() - k[1], in.getWidth() - k[3]),
                g.int64s(c.name() + "_axes", 2, 3)));
    }

    private static String bilinear(VertexContext c) {
        int s = c.<BilinearUpsampling2D>conf().getScale();
        OnnxGraph g = c.graph();
        // half-pixel sampling clamped at the border: PyTorch's align_corners=False, as the layer computes it
        return g.node("Resize", c.name(), List.of(c.input(), "", g.floats(c.name() + "_scales", new float[] {1, 1, s, s}, 4)),
                Attr.of("mode", "linear"), Attr.of("coordinate_transformation_mode", "half_pixel"));
    }

    private static String elementWise(VertexContext c) {
        ElementWiseVertex v = c.conf();
        OnnxGraph g = c.graph();
        return switch (v.getOp()) {
            case Add -> g.node(c.inputs().size() == 2 ? "Add" : "Sum", c.name(), c.inputs());
            case Subtract -> g.node("Sub", c.name(), c.inputs());
            case Product -> {
                String acc = c.input();
                for (int i = 1; i < c.inputs().size(); i++) {
                    acc = g.node("Mul", c.name(), List.of(acc, c.inputs().get(i)));
                }
                yield acc;
            }
            case Average -> g.node("Mean", c.name(), c.inputs());
            case Max -> g.node("Max", c.name(), c.inputs());
        };
    }
}
