package org.segspark.models.zoo;

import org.segspark.models.graph.GraphAssembler;

import java.util.ArrayList;
import java.util.List;

/**
 * MobileNetV2 (Sandler et al. 2018) feature extractor, layer for layer torchvision's
 * {@code mobilenet_v2().features[0:18]}, with Keras Applications' layer names (so Keras weights can
 * be loaded by name). With an output stride below 32 it becomes the atrous backbone of DeepLab:
 * a stride that would pass the output stride becomes 1 and the following depthwise convolutions
 * dilate instead (the first block of that group keeps the previous rate).
 */
public final class MobileNetV2Encoder {
    /** The inverted residual settings (t, c, n, s) of the paper's Table 2. */
    static final int[][] SETTINGS = {{1, 16, 1, 1}, {6, 24, 2, 2}, {6, 32, 3, 2}, {6, 64, 4, 2}, {6, 96, 3, 1},
            {6, 160, 3, 2}, {6, 320, 1, 1}};

    private MobileNetV2Encoder() {
    }

    /**
     * Per block (Keras index 0..16): the expansion ReLU6 output (null for block 0) and its channels,
     * the block's output and its channels; and the last block's output.
     */
    public record Outputs(List<String> expandRelu, List<Integer> expandChannels, List<String> blockOutput,
                          List<Integer> blockChannels, String last, int lastChannels) {
    }

    /** torchvision's _make_divisible: round to the nearest multiple of 8, never more than 10% down. */
    public static int divisible(double v, int divisor) {
        int nv = Math.max(divisor, (int) (v + divisor / 2.0) / divisor * divisor);
        if (nv < 0.9 * v) {
            nv += divisor;
        }
        return nv;
    }

    public static Outputs build(GraphAssembler a, String input, int inChannels, double alpha) {
        return build(a, input, inChannels, alpha, 32);
    }

    public static Outputs build(GraphAssembler a, String input, int inChannels, double alpha, int outputStride) {
        int first = divisible(32 * alpha, 8);
        String x = a.conv("Conv1", input, inChannels, first, 3, 2, 1, false);
        x = a.batchNorm("bn_Conv1", x, first, GraphAssembler.RELU6);
        int channels = first;
        int stride = 2, rate = 1;
        List<String> expandRelu = new ArrayList<>(), blockOutput = new ArrayList<>();
        List<Integer> expandChannels = new ArrayList<>(), blockChannels = new ArrayList<>();
        int block = 0;
        for (int[] s : SETTINGS) {
            int t = s[0], out = divisible(s[1] * alpha, 8), n = s[2], groupStride = s[3];
            for (int i = 0; i < n; i++) {
                int st = i == 0 ? groupStride : 1;
                int blockRate = rate;
                if (st == 2 && stride == outputStride) {
                    st = 1;
                    rate *= 2;
                } else {
                    stride *= st;
                }
                String prefix = block == 0 ? "expanded_conv" : "block_" + block;
                int hidden = Math.round(channels * t);
                String h = x;
                if (t != 1) {
                    h = a.convBnAct(prefix + "_expand", x, channels, hidden, 1, 1, GraphAssembler.RELU6);
                    expandRelu.add(h);
                } else {
                    expandRelu.add(null);
                }
                expandChannels.add(hidden);
                String dw = a.depthwise(prefix + "_depthwise", h, hidden, 3, st, blockRate, blockRate);
                dw = a.batchNorm(prefix + "_depthwise_BN", dw, hidden, GraphAssembler.RELU6);
                String p = a.conv(prefix + "_project", dw, hidden, out, 1, 1, 0, false);
                p = a.batchNorm(prefix + "_project_BN", p, out);
                x = st == 1 && channels == out ? a.add(prefix + "_add", x, p) : p;
                channels = out;
                blockOutput.add(x);
                blockChannels.add(out);
                block++;
            }
        }
        return new Outputs(expandRelu, expandChannels, blockOutput, blockChannels, x, channels);
    }
}
