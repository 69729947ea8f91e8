package org.segspark.models.zoo;

import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.nd4j.linalg.activations.IActivation;
import org.segspark.models.ModelConfig;
import org.segspark.models.graph.GraphAssembler;

/**
 * MobileNetV3 Small and Large (Howard et al. 2019, Tables 1-2) as torchvision 0.14 builds them:
 * inverted residual blocks with ReLU or hard-swish, squeeze-and-excite (squeeze to
 * _make_divisible(expanded / 4, 8) channels, ReLU, hard-sigmoid gate), channel counts rounded by
 * _make_divisible(c * alpha, 8), a 1x1 conv to six times the last block's channels, global average
 * pooling and the classifier (linear, hard-swish, dropout 0.2, linear).
 */
public final class MobileNetV3 {
    /** One bneck row: input, kernel, expanded, output channels, squeeze-excite, hard-swish, stride. */
    record Row(int in, int k, int exp, int out, boolean se, boolean hs, int stride) {
    }

    static final Row[] LARGE = {
            new Row(16, 3, 16, 16, false, false, 1), new Row(16, 3, 64, 24, false, false, 2),
            new Row(24, 3, 72, 24, false, false, 1), new Row(24, 5, 72, 40, true, false, 2),
            new Row(40, 5, 120, 40, true, false, 1), new Row(40, 5, 120, 40, true, false, 1),
            new Row(40, 3, 240, 80, false, true, 2), new Row(80, 3, 200, 80, false, true, 1),
            new Row(80, 3, 184, 80, false, true, 1), new Row(80, 3, 184, 80, false, true, 1),
            new Row(80, 3, 480, 112, true, true, 1), new Row(112, 3, 672, 112, true, true, 1),
            new Row(112, 5, 672, 160, true, true, 2), new Row(160, 5, 960, 160, true, true, 1),
            new Row(160, 5, 960, 160, true, true, 1)};
    static final Row[] SMALL = {
            new Row(16, 3, 16, 16, true, false, 2), new Row(16, 3, 72, 24, false, false, 2),
            new Row(24, 3, 88, 24, false, false, 1), new Row(24, 5, 96, 40, true, true, 2),
            new Row(40, 5, 240, 40, true, true, 1), new Row(40, 5, 240, 40, true, true, 1),
            new Row(40, 5, 120, 48, true, true, 1), new Row(48, 5, 144, 48, true, true, 1),
            new Row(48, 5, 288, 96, true, true, 2), new Row(96, 5, 576, 96, true, true, 1),
            new Row(96, 5, 576, 96, true, true, 1)};

    private MobileNetV3() {
    }

    public static ComputationGraphConfiguration small(ModelConfig cfg, NeuralNetConfiguration.Builder base,
                                                      GraphAssembler.Implementation impl) {
        return build("mobilenet-v3-small", SMALL, 1024, cfg, base, impl);
    }

    public static ComputationGraphConfiguration large(ModelConfig cfg, NeuralNetConfiguration.Builder base,
                                                      GraphAssembler.Implementation impl) {
        return build("mobilenet-v3-large", LARGE, 1280, cfg, base, impl);
    }

    static ComputationGraphConfiguration build(String model, Row[] rows, int lastChannel, ModelConfig cfg,
                                               NeuralNetConfiguration.Builder base, GraphAssembler.Implementation impl) {
        cfg.requireInputMultipleOf(32, model);
        ComputationGraphConfiguration.GraphBuilder g = base.graphBuilder().addInputs("input")
                .setInputTypes(InputType.convolutional(cfg.height(), cfg.width(), cfg.channels()));
        GraphAssembler a = new GraphAssembler(g, impl);
        double alpha = cfg.widthMultiplier();
        int c = MobileNetV2Encoder.divisible(rows[0].in() * alpha, 8);
        String x = a.conv("stem", "input", cfg.channels(), c, 3, 2, 1, false);
        x = a.batchNorm("stem_bn", x, c, GraphAssembler.HARDSWISH);
        for (int i = 0; i < rows.length; i++) {
            Row r = rows[i];
            String p = "block_" + i;
            int exp = MobileNetV2Encoder.divisible(r.exp() * alpha, 8);
            int out = MobileNetV2Encoder.divisible(r.out() * alpha, 8);
            IActivation act = r.hs() ? GraphAssembler.HARDSWISH : GraphAssembler.RELU;
            String h = x;
            if (exp != c) {
                h = a.conv(p + "_expand", x, c, exp, 1, 1, 0, false);
                h = a.batchNorm(p + "_expand_bn", h, exp, act);
            }
            h = a.depthwise(p + "_depthwise", h, exp, r.k(), r.stride(), (r.k() - 1) / 2, 1);
            h = a.batchNorm(p + "_depthwise_bn", h, exp, act);
            if (r.se()) {
                int squeeze = MobileNetV2Encoder.divisible(exp / 4.0, 8);
                String s = a.globalAvgPool(p + "_se_pool", h, true);
                s = a.conv(p + "_se_reduce", s, exp, squeeze, 1, 1, 0, true);
                s = a.activation(p + "_se_relu", s, GraphAssembler.RELU);
                s = a.conv(p + "_se_expand", s, squeeze, exp, 1, 1, 0, true);
                h = a.channelGate(p + "_se_gate", h, s);
            }
            h = a.conv(p + "_project", h, exp, out, 1, 1, 0, false);
            h = a.batchNorm(p + "_project_bn", h, out);
            x = r.stride() == 1 && c == out ? a.add(p + "_add", x, h) : h;
            c = out;
        }
        int lastConv = 6 * c;
        x = a.conv("last_conv", x, c, lastConv, 1, 1, 0, false);
        x = a.batchNorm("last_conv_bn", x, lastConv, GraphAssembler.HARDSWISH);
        x = a.globalAvgPool("pool", x, false);
        int last = MobileNetV2Encoder.divisible(lastChannel * alpha, 8);
        x = a.dense("classifier_fc", x, lastConv, last, GraphAssembler.HARDSWISH);
        x = a.dropout("classifier_dropout", x, 0.2);
        a.softmaxOutput("predictions", x, last, cfg.classes());
        g.setOutputs("predictions");
        return g.build();
    }
}
