package org.segspark.models;

import org.deeplearning4j.nn.graph.ComputationGraph;
import org.junit.jupiter.api.Test;

import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Fails when the oneDNN paths are off: a dependency bump that drops the onednn build of
 * nd4j-native, or a DL4J change that breaks the helper shim, would otherwise cost 2-5x speed silently.
 */
class OneDnnGuardTest {
    @Test
    void everyConvolutionAndBatchNormRunsOnOneDnn() {
        ComputationGraph net = ModelRegistry.build("unet-mobilenetv2", new ModelConfig(3, 64, 64, 1.0, 1));
        assertTrue(NativeSpeed.oneDnnActive(), "oneDNN helpers inactive: " + NativeSpeed.describe());
        Map<String, int[]> coverage = NativeSpeed.helperCoverage(net);
        System.out.println(NativeSpeed.describe());
        assertEquals(34, coverage.get("convolution")[1]);
        assertEquals(55, coverage.get("batchnorm")[1]);
        assertEquals(coverage.get("convolution")[1], coverage.get("convolution")[0], "convolutions on oneDNN");
        assertEquals(coverage.get("batchnorm")[1], coverage.get("batchnorm")[0], "batch norms on oneDNN");
    }
}
