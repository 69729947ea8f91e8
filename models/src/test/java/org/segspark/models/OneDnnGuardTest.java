package org.segspark.models;

import org.segspark.models.layers.NativeSpeed;
import org.segspark.models.registry.ModelRegistry;

import org.deeplearning4j.nn.graph.ComputationGraph;
import org.junit.jupiter.api.Test;

import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Fails when the fast paths are off: a dependency bump that drops the onednn build of nd4j-native,
 * a DL4J change that breaks the helper shim, or a model built on stock layers would otherwise cost
 * 2-5x speed silently.
 */
class OneDnnGuardTest {
    @Test
    void libnd4jRunsOnOneDnnAndDl4jHelpersAreFound() {
        assertTrue(NativeSpeed.libnd4jUsesOneDnn(), "libnd4j is not using oneDNN: " + NativeSpeed.describe());
        ModelRegistry.build("unet-mobilenetv2", new ModelConfig(3, 64, 64, 1.0, 1));
        assertTrue(NativeSpeed.oneDnnActive(), "DL4J's oneDNN helpers inactive (pooling would be slow): " + NativeSpeed.describe());
    }

    @Test
    void everyConvolutionAndBatchNormOfTheModelIsOnAFastPath() {
        ComputationGraph net = ModelRegistry.build("unet-mobilenetv2", new ModelConfig(3, 64, 64, 1.0, 1));
        Map<String, int[]> coverage = NativeSpeed.coverage(net);
        assertEquals(56, coverage.get("convolution")[0], "1x1/3x3, depthwise and transposed convolutions");
        assertEquals(55, coverage.get("batchnorm")[0]);
        coverage.forEach((kind, c) -> assertEquals(c[0], c[1], kind + ": " + c[1] + " of " + c[0] + " on a fast path"));
    }
}
