package org.segspark.models.zoo;

import org.segspark.models.graph.GraphAssembler;

import java.util.ArrayList;
import java.util.List;

/**
 * VGG16's convolutional base (Simonyan and Zisserman, configuration D): 13 3x3 convolutions with
 * bias and ReLU in five blocks, each ending in 2x2 max pooling; Keras Applications' names
 * (block1_conv1 ... block5_pool) so Keras weights load by name. Optionally a batch norm after
 * given pools (design C).
 */
public final class Vgg16Encoder {
    static final int[][] BLOCKS = {{64, 64}, {128, 128}, {256, 256, 256}, {512, 512, 512}, {512, 512, 512}};

    private Vgg16Encoder() {
    }

    /** The last conv (after ReLU) of each block and each block's output (pool, or BN after it). */
    public record Outputs(List<String> lastConv, List<String> blockOutput, List<Integer> channels) {
    }

    /**
     * {@code inChannels}: the input's; {@code freezeConvs}: the 13 convolutions do not train (the
     * batch norms after pools always do).
     */
    public static Outputs build(GraphAssembler a, String input, int inChannels, boolean freezeConvs, int... bnAfterPools) {
        List<String> lastConv = new ArrayList<>(), out = new ArrayList<>();
        List<Integer> channels = new ArrayList<>();
        String x = input;
        int c = inChannels;
        for (int b = 0; b < BLOCKS.length; b++) {
            for (int i = 0; i < BLOCKS[b].length; i++) {
                String name = "block" + (b + 1) + "_conv" + (i + 1);
                x = a.frozen(freezeConvs).conv(name, x, c, BLOCKS[b][i], 3, 1, 1, true);
                a.frozen(false);
                x = a.activation(name + "_relu", x, GraphAssembler.RELU);
                c = BLOCKS[b][i];
            }
            lastConv.add(x);
            x = a.maxPool("block" + (b + 1) + "_pool", x, 2, 2);
            for (int p : bnAfterPools) {
                if (p == b + 1) {
                    x = a.batchNorm("block" + (b + 1) + "_pool_bn", x, c);
                }
            }
            out.add(x);
            channels.add(c);
        }
        return new Outputs(lastConv, out, channels);
    }
}
