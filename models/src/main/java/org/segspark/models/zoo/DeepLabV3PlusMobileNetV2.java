package org.segspark.models.zoo;

import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.segspark.models.ModelConfig;
import org.segspark.models.graph.GraphAssembler;

/**
 * DeepLabV3+ (Chen et al. 2018) on an atrous MobileNetV2 (output stride 16 or 8): ASPP on the last
 * block's 320 channels (a 1x1 conv, three 3x3 atrous convs at rates 6/12/18, or 12/24/36 at stride
 * 8, and image pooling; 256 channels each, BN and ReLU; a 1x1 projection and dropout 0.1); the
 * decoder upsamples it bilinearly to stride 4, concatenates block 2's 24-channel features reduced
 * to 48, applies two 3x3 convolutions of 256 and a 1x1 classifier, and upsamples 4x to the input.
 */
public final class DeepLabV3PlusMobileNetV2 {
    private DeepLabV3PlusMobileNetV2() {
    }

    public static ComputationGraphConfiguration build(ModelConfig cfg, NeuralNetConfiguration.Builder base,
                                                      GraphAssembler.Implementation impl) {
        int os = cfg.outputStride();
        cfg.requireInputMultipleOf(16, "deeplabv3plus-mobilenetv2");
        ComputationGraphConfiguration.GraphBuilder g = base.graphBuilder().addInputs("input")
                .setInputTypes(InputType.convolutional(cfg.height(), cfg.width(), cfg.channels()));
        GraphAssembler a = new GraphAssembler(g, impl);
        a.frozen(cfg.freezeEncoder());
        MobileNetV2Encoder.Outputs enc = MobileNetV2Encoder.build(a, "input", cfg.channels(), cfg.widthMultiplier(), os);
        a.frozen(false);
        String high = enc.last();
        int hc = enc.lastChannels();
        int[] rates = os == 16 ? new int[] {6, 12, 18} : new int[] {12, 24, 36};
        String[] branches = new String[5];
        branches[0] = convBnRelu(a, "aspp_0", high, hc, 256, 1, 1);
        for (int i = 0; i < 3; i++) {
            branches[i + 1] = convBnRelu(a, "aspp_" + (i + 1), high, hc, 256, 3, rates[i]);
        }
        String pooled = a.globalAvgPool("aspp_pool", high, true);
        pooled = convBnRelu(a, "aspp_pool_conv", pooled, hc, 256, 1, 1);
        branches[4] = a.spatialBroadcast("aspp_pool_broadcast", pooled, high);
        String x = a.concat("aspp_concat", branches);
        x = convBnRelu(a, "aspp_project", x, 5 * 256, 256, 1, 1);
        x = a.dropout("aspp_dropout", x, 0.1);
        x = a.bilinear("decoder_upsample", x, os / 4);
        String low = convBnRelu(a, "decoder_low_project", enc.blockOutput().get(2), enc.blockChannels().get(2), 48, 1, 1);
        x = a.concat("decoder_concat", x, low);
        x = convBnRelu(a, "decoder_conv1", x, 256 + 48, 256, 3, 1);
        x = convBnRelu(a, "decoder_conv2", x, 256, 256, 3, 1);
        x = a.conv("classifier", x, 256, cfg.classes(), 1, 1, 0, true);
        x = a.bilinear("output_upsample", x, 4);
        a.pixelSoftmaxOutput("output", x);
        g.setOutputs("output");
        return g.build();
    }

    private static String convBnRelu(GraphAssembler a, String name, String in, int nIn, int nOut, int k, int rate) {
        String c = a.conv(name, in, nIn, nOut, k, 1, rate * (k / 2), rate, false);
        return a.batchNorm(name + "_BN", c, nOut, GraphAssembler.RELU);
    }
}
