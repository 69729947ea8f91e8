package org.segspark.models.zoo;

import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.segspark.models.ModelConfig;
import org.segspark.models.graph.GraphAssembler;

/**
 * MobileNetV2 classifier, torchvision's {@code mobilenet_v2(num_classes, width_mult)}: the encoder,
 * a 1x1 conv to 1280 * max(1, alpha) channels (BN, ReLU6), global average pooling, dropout 0.2 and
 * the linear classifier. Keras' names up to out_relu.
 */
public final class MobileNetV2 {
    private MobileNetV2() {
    }

    public static ComputationGraphConfiguration build(ModelConfig cfg, NeuralNetConfiguration.Builder base,
                                                      GraphAssembler.Implementation impl) {
        cfg.requireInputMultipleOf(32, "mobilenet-v2");
        ComputationGraphConfiguration.GraphBuilder g = base.graphBuilder().addInputs("input")
                .setInputTypes(InputType.convolutional(cfg.height(), cfg.width(), cfg.channels()));
        GraphAssembler a = new GraphAssembler(g, impl);
        a.frozen(cfg.freezeEncoder());
        MobileNetV2Encoder.Outputs enc = MobileNetV2Encoder.build(a, "input", cfg.channels(), cfg.widthMultiplier());
        a.frozen(false);
        int last = MobileNetV2Encoder.divisible(1280 * Math.max(1.0, cfg.widthMultiplier()), 8);
        String x = a.conv("Conv_1", enc.last(), enc.lastChannels(), last, 1, 1, 0, false);
        x = a.batchNorm("Conv_1_bn", x, last, GraphAssembler.RELU6);
        x = a.globalAvgPool("global_average_pooling2d", x, false);
        x = a.dropout("dropout", x, 0.2);
        a.softmaxOutput("predictions", x, last, cfg.classes());
        g.setOutputs("predictions");
        return g.build();
    }
}
