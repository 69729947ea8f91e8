package org.segspark.models.weights;

import org.segspark.models.ModelConfig;
import org.segspark.models.registry.ModelRegistry;

import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ClassWeightedLossTest {
    private static final int N = 2, K = 3, S = 32;

    /** Weight 0 on a class must equal masking its pixels out, in the loss and in every gradient; weight 2 doubles them. */
    @Test
    void zeroWeightEqualsMaskingTheClassOut() {
        INDArray x = Nd4j.rand(org.nd4j.linalg.api.buffer.DataType.FLOAT, N, 3, S, S);
        float[] labels = new float[N * K * S * S];
        float[] allOnes = new float[N * S * S];
        float[] withoutClass1 = new float[N * S * S];
        Random r = new Random(3);
        for (int i = 0; i < N; i++) {
            for (int p = 0; p < S * S; p++) {
                int c = r.nextInt(K);
                labels[(i * K + c) * S * S + p] = 1f;
                allOnes[i * S * S + p] = 1f;
                withoutClass1[i * S * S + p] = c == 1 ? 0f : 1f;
            }
        }
        INDArray y = Nd4j.create(labels, new long[] {N, K, S, S}, 'c');
        INDArray full = Nd4j.create(allOnes, new long[] {N, 1, S, S}, 'c');
        INDArray masked = Nd4j.create(withoutClass1, new long[] {N, 1, S, S}, 'c');

        ComputationGraph plain = net();
        Step reference = step(plain, x, y, masked);
        ComputationGraph weighted = net();
        ClassWeightedLoss.apply(weighted, new double[] {1, 0, 1});
        Step zeroWeight = step(weighted, x, y, full);
        assertEquals(reference.score, zeroWeight.score, 1e-4 * Math.abs(reference.score));
        assertArrayEquals(reference.gradient, zeroWeight.gradient, 1e-5f);

        ClassWeightedLoss.apply(weighted, new double[] {2, 2, 2});
        Step doubled = step(weighted, x, y, full);
        Step unweighted = step(net(), x, y, full);
        assertEquals(2 * unweighted.score, doubled.score, 1e-4 * doubled.score);
    }

    @Test
    void weightsTravelWithTheConfiguration() {
        ComputationGraph net = net();
        String out = net.getConfiguration().getNetworkOutputs().get(0);
        assertNull(ClassWeightedLoss.of(net, out));
        ClassWeightedLoss.apply(net, new double[] {0.5, 2, 4});
        ComputationGraph copy = new ComputationGraph(ComputationGraphConfiguration.fromJson(net.getConfiguration().toJson()));
        copy.init(net.params().dup(), false);
        assertArrayEquals(new double[] {0.5, 2, 4}, ClassWeightedLoss.of(copy, out), 1e-6);
    }

    @Test
    void aSigmoidHeadIsRefused() {
        ModelConfig binary = ModelRegistry.get("unet-vgg16").defaults().withInput(32, 32).withClasses(2).withHead("sigmoid");
        ComputationGraph net = ModelRegistry.build("unet-vgg16", binary);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> ClassWeightedLoss.apply(net, new double[] {1, 3}));
        assertTrue(e.getMessage().contains("sigmoid"), e.getMessage());
    }

    private static ComputationGraph net() {
        return ModelRegistry.build("unet-mobilenetv2", ModelRegistry.get("unet-mobilenetv2").defaults()
                .withClasses(K).withInput(S, S).withWidthMultiplier(0.35).withSeed(5));
    }

    private record Step(double score, float[] gradient) {
    }

    private static Step step(ComputationGraph net, INDArray x, INDArray y, INDArray labelMask) {
        net.setInputs(x);
        net.setLabels(y);
        net.setLayerMaskArrays(null, new INDArray[] {labelMask});
        net.computeGradientAndScore();
        return new Step(net.score(), net.gradient().gradient().dup().toFloatVector());
    }
}
