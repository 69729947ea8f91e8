package org.segspark.models.zoo;

import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.segspark.models.ModelConfig;
import org.segspark.models.graph.GraphAssembler;

/**
 * Fully convolutional networks (Long et al. 2015) on VGG16: fc6 (7x7, 4096) and fc7 (1x1, 4096) as
 * convolutions with ReLU and dropout 0.5, a 1x1 score layer; FCN-32s upsamples it 32x; FCN-16s adds
 * a learned 2x upsampling and the score of pool4; FCN-8s also of pool3. The 2x upsamplings start
 * as bilinear and learn; the final upsampling is fixed bilinear; the pool score layers start at
 * zero (as in the paper). Convolutions pad to keep sizes aligned instead of Caffe's 100-pixel pad
 * and crops, so the output has the input's size.
 */
public final class Fcn {
    private Fcn() {
    }

    public static ComputationGraphConfiguration fcn32(ModelConfig cfg, NeuralNetConfiguration.Builder base,
                                                     GraphAssembler.Implementation impl) {
        return build(32, cfg, base, impl);
    }

    public static ComputationGraphConfiguration fcn16(ModelConfig cfg, NeuralNetConfiguration.Builder base,
                                                     GraphAssembler.Implementation impl) {
        return build(16, cfg, base, impl);
    }

    public static ComputationGraphConfiguration fcn8(ModelConfig cfg, NeuralNetConfiguration.Builder base,
                                                    GraphAssembler.Implementation impl) {
        return build(8, cfg, base, impl);
    }

    static ComputationGraphConfiguration build(int variant, ModelConfig cfg, NeuralNetConfiguration.Builder base,
                                               GraphAssembler.Implementation impl) {
        String model = "fcn-" + variant + "s";
        cfg.requireInputMultipleOf(32, model);
        int k = cfg.classes();
        ComputationGraphConfiguration.GraphBuilder g = base.graphBuilder().addInputs("input")
                .setInputTypes(InputType.convolutional(cfg.height(), cfg.width(), cfg.channels()));
        GraphAssembler a = new GraphAssembler(g, impl);
        Vgg16Encoder.Outputs enc = Vgg16Encoder.build(a, "input", cfg.channels(), cfg.freezeEncoder());
        String x = a.conv("fc6", enc.blockOutput().get(4), 512, 4096, 7, 1, 3, true);
        x = a.activation("fc6_relu", x, GraphAssembler.RELU);
        x = a.dropout("fc6_dropout", x, 0.5);
        x = a.conv("fc7", x, 4096, 4096, 1, 1, 0, true);
        x = a.activation("fc7_relu", x, GraphAssembler.RELU);
        x = a.dropout("fc7_dropout", x, 0.5);
        x = a.conv("score_fr", x, 4096, k, 1, 1, 0, true);
        if (variant <= 16) {
            x = a.deconv("upscore2", x, k, k, 4, 2, 1, false);
            String pool4 = a.conv("score_pool4", enc.blockOutput().get(3), 512, k, 1, 1, 0, true);
            x = a.add("fuse_pool4", x, pool4);
        }
        if (variant == 8) {
            x = a.deconv("upscore_pool4", x, k, k, 4, 2, 1, false);
            String pool3 = a.conv("score_pool3", enc.blockOutput().get(2), 256, k, 1, 1, 0, true);
            x = a.add("fuse_pool3", x, pool3);
        }
        x = a.frozen(true).deconv("upscore_final", x, k, k, 2 * variant, variant, variant / 2, false);
        a.frozen(false);
        a.pixelSoftmaxOutput("output", x);
        g.setOutputs("output");
        return g.build();
    }

    /** Bilinear starts for the upsamplings (the final one stays so), zero starts for the pool scores. */
    public static void initialize(ComputationGraph net) {
        for (String name : new String[] {"upscore2", "upscore_pool4", "upscore_final"}) {
            if (net.getVertex(name) != null) {
                INDArray w = net.getLayer(name).getParam("W");
                w.assign(bilinear((int) w.size(0), (int) w.size(2)));
            }
        }
        for (String name : new String[] {"score_pool4", "score_pool3"}) {
            if (net.getVertex(name) != null) {
                net.getLayer(name).getParam("W").assign(0);
                net.getLayer(name).getParam("b").assign(0);
            }
        }
    }

    /** [c, c, k, k] weights of channel-wise bilinear interpolation (DL4J's deconvolution layout). */
    static INDArray bilinear(int c, int k) {
        int f = (k + 1) / 2;
        double center = k % 2 == 1 ? f - 1 : f - 0.5;
        float[] w = new float[c * c * k * k];
        for (int i = 0; i < c; i++) {
            for (int y = 0; y < k; y++) {
                for (int x = 0; x < k; x++) {
                    w[((i * c + i) * k + y) * k + x] = (float) ((1 - Math.abs(y - center) / f) * (1 - Math.abs(x - center) / f));
                }
            }
        }
        return Nd4j.create(w, new long[] {c, c, k, k}, 'c');
    }
}
