package org.segspark.models.zoo;

import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.segspark.models.ModelConfig;
import org.segspark.models.graph.GraphAssembler;

/**
 * VGG16 classifier, torchvision's {@code vgg16(num_classes)}: the conv base, then fc1 and fc2
 * (4096, ReLU, dropout 0.5) and the classifier. At 224x224 the conv base ends at 7x7 (25088
 * inputs to fc1, as torchvision's adaptive pooling gives); other sizes size fc1 to (h/32)(w/32)512.
 */
public final class Vgg16 {
    private Vgg16() {
    }

    public static ComputationGraphConfiguration build(ModelConfig cfg, NeuralNetConfiguration.Builder base,
                                                      GraphAssembler.Implementation impl) {
        cfg.requireInputMultipleOf(32, "vgg16");
        ComputationGraphConfiguration.GraphBuilder g = base.graphBuilder().addInputs("input")
                .setInputTypes(InputType.convolutional(cfg.height(), cfg.width(), cfg.channels()));
        GraphAssembler a = new GraphAssembler(g, impl);
        Vgg16Encoder.Outputs enc = Vgg16Encoder.build(a, "input", cfg.channels(), cfg.freezeEncoder());
        int flat = 512 * (cfg.height() / 32) * (cfg.width() / 32);
        String x = a.dense("fc1", enc.blockOutput().get(4), flat, 4096, GraphAssembler.RELU);
        x = a.dropout("fc1_dropout", x, 0.5);
        x = a.dense("fc2", x, 4096, 4096, GraphAssembler.RELU);
        x = a.dropout("fc2_dropout", x, 0.5);
        a.softmaxOutput("predictions", x, 4096, cfg.classes());
        g.setOutputs("predictions");
        return g.build();
    }
}
