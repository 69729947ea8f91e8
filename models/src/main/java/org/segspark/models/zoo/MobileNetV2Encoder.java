package org.segspark.models.zoo;

import org.nd4j.linalg.activations.Activation;
import org.segspark.models.graph.GraphAssembler;

import java.util.ArrayList;
import java.util.List;

/**
 * MobileNetV2 (Sandler et al. 2018) feature extractor, layer for layer torchvision's
 * {@code mobilenet_v2().features[0:18]}, with Keras Applications' layer names (so Keras weights can
 * be loaded by name). Returns the ReLU6 outputs of the expansion convolutions (the taps U-Nets
 * use) and the final projection.
 */
public final class MobileNetV2Encoder {
    /** The inverted residual settings (t, c, n, s) of the paper's Table 2. */
    static final int[][] SETTINGS = {{1, 16, 1, 1}, {6, 24, 2, 2}, {6, 32, 3, 2}, {6, 64, 4, 2}, {6, 96, 3, 1},
            {6, 160, 3, 2}, {6, 320, 1, 1}};

    private MobileNetV2Encoder() {
    }

    /** The output of a block's expansion ReLU6 and the block's output, by Keras block index. */
    public record Outputs(List<String> expandRelu, List<Integer> expandChannels, String last, int lastChannels) {
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
        int first = divisible(32 * alpha, 8);
        String x = a.convBnAct("Conv1", input, inChannels, first, 3, 2, Activation.RELU6);
        int channels = first;
        List<String> expandRelu = new ArrayList<>();
        List<Integer> expandChannels = new ArrayList<>();
        int block = 0;
        for (int[] s : SETTINGS) {
            int t = s[0], out = divisible(s[1] * alpha, 8), n = s[2], stride = s[3];
            for (int i = 0; i < n; i++) {
                int st = i == 0 ? stride : 1;
                String prefix = block == 0 ? "expanded_conv" : "block_" + block;
                int hidden = Math.round(channels * t);
                String h = x;
                if (t != 1) {
                    h = a.convBnAct(prefix + "_expand", x, channels, hidden, 1, 1, Activation.RELU6);
                    expandRelu.add(h);
                } else {
                    expandRelu.add(null);
                }
                expandChannels.add(hidden);
                String dw = a.depthwise(prefix + "_depthwise", h, hidden, 3, st, 1, 1);
                dw = a.batchNorm(prefix + "_depthwise_BN", dw, hidden, Activation.RELU6);
                String p = a.conv(prefix + "_project", dw, hidden, out, 1, 1, 0, false);
                p = a.batchNorm(prefix + "_project_BN", p, out);
                x = st == 1 && channels == out ? a.add(prefix + "_add", x, p) : p;
                channels = out;
                block++;
            }
        }
        return new Outputs(expandRelu, expandChannels, x, channels);
    }
}
