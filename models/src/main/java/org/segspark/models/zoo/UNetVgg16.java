package org.segspark.models.zoo;

import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.segspark.models.ModelConfig;
import org.segspark.models.graph.GraphAssembler;

/**
 * U-Net with a VGG16 encoder (design C): the VGG16 conv base with batch norm after pools 1-4
 * (its 13 convolutions frozen by default: the design trains the decoder), skips from block1_conv2
 * and the normalised pools 1-4; five decoder steps of [4x4 stride-2 transposed conv without bias,
 * concatenate the skip, dropout 0.3, two 4x4 'same' convolutions with ReLU] with
 * 256/128/64/32/16 filters; a 1x1 head, sigmoid over one channel (binary foreground) or softmax.
 */
public final class UNetVgg16 {
    static final int[] FILTERS = {256, 128, 64, 32, 16};

    private UNetVgg16() {
    }

    public static ComputationGraphConfiguration build(ModelConfig cfg, NeuralNetConfiguration.Builder base,
                                                      GraphAssembler.Implementation impl) {
        cfg.requireInputMultipleOf(32, "unet-vgg16");
        ComputationGraphConfiguration.GraphBuilder g = base.graphBuilder().addInputs("input")
                .setInputTypes(InputType.convolutional(cfg.height(), cfg.width(), cfg.channels()));
        GraphAssembler a = new GraphAssembler(g, impl);
        Vgg16Encoder.Outputs enc = Vgg16Encoder.build(a, "input", cfg.channels(), cfg.freezeEncoder(), 1, 2, 3, 4);
        String[] skips = {enc.blockOutput().get(3), enc.blockOutput().get(2), enc.blockOutput().get(1),
                enc.blockOutput().get(0), enc.lastConv().get(0)};
        int[] skipChannels = {512, 256, 128, 64, 64};
        String x = enc.blockOutput().get(4);
        int c = 512;
        for (int i = 0; i < FILTERS.length; i++) {
            String name = "decoder_" + (i + 1);
            int f = FILTERS[i];
            x = a.deconv(name + "_upconv", x, c, f, 4, 2, 1, false);
            x = a.concat(name + "_concat", x, skips[i]);
            x = a.dropout(name + "_dropout", x, 0.3);
            x = a.convSame(name + "_conv1", x, f + skipChannels[i], f, 4, 1, true);
            x = a.activation(name + "_conv1_relu", x, GraphAssembler.RELU);
            x = a.convSame(name + "_conv2", x, f, f, 4, 1, true);
            x = a.activation(name + "_conv2_relu", x, GraphAssembler.RELU);
            c = f;
        }
        String logits = a.conv("head", x, c, cfg.outputChannels(), 1, 1, 0, true);
        if (cfg.head().equals(ModelConfig.SIGMOID)) {
            a.pixelSigmoidOutput("output", logits);
        } else {
            a.pixelSoftmaxOutput("output", logits);
        }
        g.setOutputs("output");
        return g.build();
    }
}
