package org.segspark.models.graph;

import org.deeplearning4j.nn.graph.ComputationGraph;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.MultiDataSet;
import org.nd4j.linalg.factory.Nd4j;
import org.segspark.models.ModelConfig;
import org.segspark.models.ModelRegistryTest;
import org.segspark.models.ModelSpec;
import org.segspark.models.bench.SingleProcessBenchmark;
import org.segspark.models.registry.ModelRegistry;
import org.segspark.models.registry.SavedNetworks;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Arrays;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A decoder trained alone on its encoder's outputs is the whole network trained with that encoder
 * frozen: the same outputs, and after training steps the same decoder parameters and optimiser state.
 */
class EncoderSplitTest {

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"unet-mobilenetv2", "unet-vgg16", "deeplabv3plus-mobilenetv2", "mobilenet-v2"})
    void theDecoderOnCachedFeaturesTrainsAsTheWholeNetwork(String name) {
        ModelSpec spec = ModelRegistry.get(name);
        ModelConfig cfg = ModelRegistryTest.small(spec).withFreezeEncoder(true);
        ComputationGraph net = ModelRegistry.build(name, cfg);
        EncoderSplit split = EncoderSplit.of(net.getConfiguration());
        net = split.fixEncoder(net);
        assertFalse(split.frontier().isEmpty());
        MultiDataSet data = SingleProcessBenchmark.randomBatch(spec.task(), cfg, 4, 3);

        ComputationGraph encoder = roundTrip(split.encoder(net));
        ComputationGraph decoder = split.decoder(net);
        INDArray[] features = split.features(encoder, data.getFeatures());
        assertClose(net.output(false, data.getFeatures())[0], decoder.output(false, features)[0], 1e-4, name + " output");

        MultiDataSet cached = new MultiDataSet(features, data.getLabels(), null, data.getLabelsMaskArrays());
        for (int step = 0; step < 2; step++) {
            // the same dropout masks in both (unet-vgg16's decoder drops out; the encoder draws nothing)
            Nd4j.getRandom().setSeed(7 + step);
            net.fit(data);
            Nd4j.getRandom().setSeed(7 + step);
            decoder.fit(cached);
        }
        ComputationGraph trained = split.decoder(net);
        for (var l : decoder.getLayers()) {
            if (l.numParams() == 0) {
                continue;
            }
            String layer = l.conf().getLayer().getLayerName();
            assertClose(trained.getLayer(layer).params(), l.params(), 2e-4, name + " " + layer + " parameters");
        }
        assertClose(trained.getUpdater().getStateViewArray(), decoder.getUpdater().getStateViewArray(), 2e-4,
                name + " optimiser state");
    }

    @Test
    void unetVgg16sPoolBatchNormsAreFixedForTheCache() {
        ComputationGraph net = ModelRegistry.build("unet-vgg16", ModelRegistryTest.small(ModelRegistry.get("unet-vgg16")));
        EncoderSplit split = EncoderSplit.of(net.getConfiguration());
        assertEquals(List.of("block1_pool_bn", "block2_pool_bn", "block3_pool_bn", "block4_pool_bn"), split.trainableNorms());
        assertEquals(List.of("block1_conv2_relu", "block1_pool_bn", "block2_pool_bn", "block3_pool_bn", "block4_pool_bn",
                "block5_pool"), split.frontier());
        assertThrows(IllegalStateException.class, () -> split.decoder(net));
        ComputationGraph fixed = split.fixEncoder(net);
        assertEquals(net.params(), fixed.params());
        assertTrue(EncoderSplit.frozen(fixed.getConfiguration().getVertices().get("block2_pool_bn")));
        assertEquals(5, EncoderSplit.of(fixed.getConfiguration()).frontier().size() - 1);
    }

    @Test
    void aNetworkWithoutAFrozenEncoderHasNothingToCache() {
        ComputationGraph net = ModelRegistry.build("unet", ModelRegistryTest.small(ModelRegistry.get("unet")));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> EncoderSplit.of(net.getConfiguration()));
        assertTrue(e.getMessage().contains("no frozen encoder"), e.getMessage());
    }

    private static ComputationGraph roundTrip(ComputationGraph g) {
        try {
            return SavedNetworks.restore(new ByteArrayInputStream(SavedNetworks.bytes(g, false)), false);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static void assertClose(INDArray expected, INDArray actual, double tolerance, String what) {
        assertEquals(Arrays.toString(expected.shape()), Arrays.toString(actual.shape()), what + " shape");
        double scale = Math.max(1e-3, expected.amaxNumber().doubleValue());
        double diff = expected.sub(actual).amaxNumber().doubleValue();
        assertTrue(diff <= tolerance * scale, what + ": max difference " + diff + " (scale " + scale + ")");
    }
}
