package org.segspark.models;

import org.segspark.models.graph.GraphStats;
import org.segspark.models.registry.ModelRegistry;

import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Trainable parameters and MACs equal the PyTorch reference (bench/torch_ref.py, PyTorch 1.13.1 and
 * torchvision 0.14.1 from Debian, run on 2026-11-22: params(m) and macs(m, shape) of UNetMobileNetV2).
 */
class UNetMobileNetV2Test {
    @ParameterizedTest(name = "{0} classes at {1}x{2}")
    @CsvSource({
            "3, 128, 128, 6472035, 585512960",
            "4, 128, 128, 6473476, 591411200",
            "21, 128, 128, 6497973, 691681280",
            "21, 64, 96, 6497973, 259380480"
    })
    void countsEqualTheTorchReference(int classes, int h, int w, long params, long macs) {
        ComputationGraph net = ModelRegistry.build("unet-mobilenetv2", new ModelConfig(classes, h, w, 1.0, 1));
        GraphStats s = GraphStats.of(net, InputType.convolutional(h, w, 3));
        assertEquals(params, s.paramsTrainable());
        assertEquals(macs, s.macs());
    }
}
