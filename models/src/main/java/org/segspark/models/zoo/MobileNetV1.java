package org.segspark.models.zoo;

import org.deeplearning4j.nn.weights.WeightInitXavierUniform;

import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.segspark.models.ModelConfig;
import org.segspark.models.graph.GraphAssembler;

/**
 * MobileNet v1 (Howard et al. 2017) as Keras Applications builds it: a 3x3 stride-2 stem, 13
 * depthwise-separable blocks (depthwise 3x3 and pointwise 1x1, each with BN and ReLU6), global
 * average pooling, dropout and the classifier. Width multiplier alpha scales every layer's
 * channels as int(c * alpha); the resolution multiplier rho is the input size (224 * rho).
 * Keras' names (conv1, conv_dw_1, conv_pw_1, ..., conv_preds).
 */
public final class MobileNetV1 {
    static final int[][] BLOCKS = {{64, 1}, {128, 2}, {128, 1}, {256, 2}, {256, 1}, {512, 2}, {512, 1}, {512, 1},
            {512, 1}, {512, 1}, {512, 1}, {1024, 2}, {1024, 1}};

    private MobileNetV1() {
    }

    public static ComputationGraphConfiguration build(ModelConfig cfg, NeuralNetConfiguration.Builder base,
                                                      GraphAssembler.Implementation impl) {
        cfg.requireInputMultipleOf(32, "mobilenet-v1");
        ComputationGraphConfiguration.GraphBuilder g = base.graphBuilder().addInputs("input")
                .setInputTypes(InputType.convolutional(cfg.height(), cfg.width(), cfg.channels()));
        GraphAssembler a = new GraphAssembler(g, impl);
        double alpha = cfg.widthMultiplier();
        int c = (int) (32 * alpha);
        String x = a.conv("conv1", "input", cfg.channels(), c, 3, 2, 1, false);
        x = a.batchNorm("conv1_bn", x, c, GraphAssembler.RELU6);
        for (int i = 0; i < BLOCKS.length; i++) {
            int id = i + 1, out = (int) (BLOCKS[i][0] * alpha), stride = BLOCKS[i][1];
            x = a.depthwise("conv_dw_" + id, x, c, 3, stride, 1, 1);
            x = a.batchNorm("conv_dw_" + id + "_bn", x, c, GraphAssembler.RELU6);
            x = a.conv("conv_pw_" + id, x, c, out, 1, 1, 0, false);
            x = a.batchNorm("conv_pw_" + id + "_bn", x, out, GraphAssembler.RELU6);
            c = out;
        }
        x = a.globalAvgPool("global_average_pooling2d", x, false);
        x = a.dropout("dropout", x, 1e-3);
        // Keras builds the classifier as a 1x1 convolution with its default Glorot-uniform initialiser
        a.softmaxOutput("conv_preds", x, c, cfg.classes(), new WeightInitXavierUniform());
        g.setOutputs("conv_preds");
        return g.build();
    }
}
