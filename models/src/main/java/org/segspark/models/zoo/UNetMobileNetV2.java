package org.segspark.models.zoo;

import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.segspark.models.ModelConfig;
import org.segspark.models.graph.GraphAssembler;

/**
 * U-Net with a MobileNetV2 encoder, the widely used pix2pix-style design: encoder taps at the
 * ReLU6 outputs of the expansion convs of blocks 1, 3, 6 and 13 (strides 2, 4, 8, 16) and the
 * final projection (stride 32); decoder of four [3x3 stride-2 transposed conv (no bias), BN,
 * ReLU] steps with 512, 256, 128, 64 filters, each concatenated with the matching tap; a last
 * 3x3 stride-2 transposed conv to the classes; per-pixel softmax. Parameter for parameter the
 * network of the PyTorch reference {@code bench/torch_ref.py}.
 */
public final class UNetMobileNetV2 {
    static final int[] TAP_BLOCKS = {1, 3, 6, 13};
    static final int[] DECODER = {512, 256, 128, 64};

    private UNetMobileNetV2() {
    }

    public static ComputationGraphConfiguration build(ModelConfig cfg, NeuralNetConfiguration.Builder base,
                                                      GraphAssembler.Implementation impl) {
        cfg.requireInputMultipleOf(32, "unet-mobilenetv2");
        ComputationGraphConfiguration.GraphBuilder g = base.graphBuilder()
                .addInputs("input")
                .setInputTypes(InputType.convolutional(cfg.height(), cfg.width(), cfg.channels()));
        GraphAssembler a = new GraphAssembler(g, impl);
        a.frozen(cfg.freezeEncoder());
        MobileNetV2Encoder.Outputs enc = MobileNetV2Encoder.build(a, "input", cfg.channels(), cfg.widthMultiplier());
        a.frozen(false);
        String x = enc.last();
        int channels = enc.lastChannels();
        for (int i = 0; i < DECODER.length; i++) {
            int tapBlock = TAP_BLOCKS[TAP_BLOCKS.length - 1 - i];
            String name = "decoder_" + (i + 1);
            String up = a.upsample2x(name + "_deconv", x, channels, DECODER[i], false);
            up = a.batchNorm(name + "_BN", up, DECODER[i], GraphAssembler.RELU);
            x = a.concat(name + "_concat", up, enc.expandRelu().get(tapBlock));
            channels = DECODER[i] + enc.expandChannels().get(tapBlock);
        }
        String logits = a.upsample2x("head_deconv", x, channels, cfg.classes(), true);
        a.pixelSoftmaxOutput("output", logits);
        g.setOutputs("output");
        return g.build();
    }
}
