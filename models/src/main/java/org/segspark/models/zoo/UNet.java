package org.segspark.models.zoo;

import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.segspark.models.ModelConfig;
import org.segspark.models.graph.GraphAssembler;

/**
 * U-Net (Ronneberger et al. 2015): four levels of two 3x3 convolutions with ReLU (64 to 512
 * channels) and 2x2 max pooling, a 1024-channel bottom, then four 2x2 stride-2 up-convolutions
 * halving the channels, each concatenated with the encoder's features of that level and followed
 * by two 3x3 convolutions, and a 1x1 convolution to the classes. Padding "valid" is the paper's
 * (unpadded convolutions, encoder features centre-cropped, output smaller than input: 572 -> 388);
 * "same" pads every convolution so the output has the input's size.
 */
public final class UNet {
    static final int[] CHANNELS = {64, 128, 256, 512, 1024};

    private UNet() {
    }

    public static ComputationGraphConfiguration build(ModelConfig cfg, NeuralNetConfiguration.Builder base,
                                                      GraphAssembler.Implementation impl) {
        boolean same = cfg.padding().equals(ModelConfig.SAME);
        int pad = same ? 1 : 0;
        if (same) {
            cfg.requireInputMultipleOf(16, "unet");
        } else if (validOutput(cfg.height()) < 1 || validOutput(cfg.width()) < 1) {
            throw new IllegalArgumentException("unet with valid padding needs an input whose every level halves "
                    + "evenly (such as 572 or 188), got " + cfg.height() + "x" + cfg.width());
        }
        ComputationGraphConfiguration.GraphBuilder g = base.graphBuilder().addInputs("input")
                .setInputTypes(InputType.convolutional(cfg.height(), cfg.width(), cfg.channels()));
        GraphAssembler a = new GraphAssembler(g, impl);
        String[] skips = new String[4];
        int[] skipH = new int[4], skipW = new int[4];
        String x = "input";
        int c = cfg.channels(), h = cfg.height(), w = cfg.width();
        for (int level = 0; level < 5; level++) {
            String name = level < 4 ? "down" + (level + 1) : "bottom";
            x = doubleConv(a, name, x, c, CHANNELS[level], pad);
            c = CHANNELS[level];
            h -= 4 * (1 - pad);
            w -= 4 * (1 - pad);
            if (level < 4) {
                skips[level] = x;
                skipH[level] = h;
                skipW[level] = w;
                x = a.maxPool(name + "_pool", x, 2, 2);
                h /= 2;
                w /= 2;
            }
        }
        for (int level = 3; level >= 0; level--) {
            String name = "up" + (4 - level);
            int out = CHANNELS[level];
            x = a.deconv(name + "_upconv", x, c, out, 2, 2, 0, true);
            h *= 2;
            w *= 2;
            String skip = skips[level];
            int dh = skipH[level] - h, dw = skipW[level] - w;
            if (dh != 0 || dw != 0) {
                skip = a.crop(name + "_skip_crop", skip, dh / 2, dh - dh / 2, dw / 2, dw - dw / 2);
            }
            x = a.concat(name + "_concat", x, skip);
            x = doubleConv(a, name, x, 2 * out, out, pad);
            c = out;
            h -= 4 * (1 - pad);
            w -= 4 * (1 - pad);
        }
        String logits = a.conv("head", x, c, cfg.classes(), 1, 1, 0, true);
        a.pixelSoftmaxOutput("output", logits);
        g.setOutputs("output");
        return g.build();
    }

    private static String doubleConv(GraphAssembler a, String name, String in, int nIn, int nOut, int pad) {
        String x = a.conv(name + "_conv1", in, nIn, nOut, 3, 1, pad, true);
        x = a.activation(name + "_conv1_relu", x, GraphAssembler.RELU);
        x = a.conv(name + "_conv2", x, nOut, nOut, 3, 1, pad, true);
        return a.activation(name + "_conv2_relu", x, GraphAssembler.RELU);
    }

    /** Output size of the valid-padding network for an input size, or -1 when a level does not halve evenly. */
    static int validOutput(int size) {
        int s = size;
        for (int level = 0; level < 4; level++) {
            s -= 4;
            if (s <= 0 || s % 2 != 0) {
                return -1;
            }
            s /= 2;
        }
        s -= 4;
        if (s <= 0) {
            return -1;
        }
        for (int level = 0; level < 4; level++) {
            s = s * 2 - 4;
        }
        return s;
    }
}
