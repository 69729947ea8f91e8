package org.segspark.nas;

import org.segspark.nas.architecture.NasArchitecture;

import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.junit.jupiter.api.Test;
import org.segspark.models.graph.GraphStats;
import org.segspark.models.ModelConfig;
import org.segspark.models.registry.ModelRegistry;
import org.segspark.models.ModelSpec;
import org.segspark.models.graph.GraphAssembler;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The nas models in the registry: found there, their reference figures equal to a closed-form
 * count of the plain networks (trainable parameters and multiply-accumulates of the convolutions,
 * transposed convolutions and dense layers), their settings validated, their JSON round trip.
 */
class NasModelsTest {

    /** Trainable parameters and MACs of a plain cell: conv0 + BN, steps x (conv + BN), 1x1 with bias. */
    static long[] cell(long in, long c, int steps, long pixels) {
        long params = 9 * in * c + 2 * c + steps * (9 * c * c + 2 * c) + c * c + c;
        long macs = (9 * in * c + steps * 9 * c * c + c * c) * pixels;
        return new long[]{params, macs};
    }

    /**
     * The U-Net; {@code search}: with gates (steps + 2 per cell, one on each up-convolution), a depth
     * per cell, the network depth, and decoder level j computed once per U-Net depth above j.
     */
    static long[] unet(int classes, int h, int w, long[] ch, int steps, int minDepth, boolean search) {
        long params = 0, macs = 0;
        int depth = ch.length;
        for (int j = 0; j < depth; j++) {
            long pixels = (long) (h >> j) * (w >> j);
            long relax = search ? (steps + 2) * ch[j] + (steps > 1 ? 1 : 0) : 0;
            long[] e = cell(j == 0 ? 3 : ch[j - 1], ch[j], steps, pixels);
            params += e[0] + relax;
            macs += e[1];
            if (j < depth - 1) {
                int copies = search ? depth - Math.max(minDepth, j + 2) + 1 : 1;
                long[] d = cell(2 * ch[j], ch[j], steps, pixels);
                long upIn = ch[j + 1], upPixels = (long) (h >> (j + 1)) * (w >> (j + 1));
                params += copies * (d[0] + relax + 4 * upIn * ch[j] + ch[j] + (search ? ch[j] : 0));
                macs += copies * (d[1] + 4 * upIn * ch[j] * upPixels);
            }
        }
        params += ch[0] * classes + classes + (search && minDepth < depth ? 1 : 0);
        macs += ch[0] * classes * (long) h * w;
        return new long[]{params, macs};
    }

    static long[] classifier(int classes, int h, int w, long[] ch, int steps, boolean search) {
        long params = 0, macs = 0;
        for (int j = 0; j < ch.length; j++) {
            long[] e = cell(j == 0 ? 3 : ch[j - 1], ch[j], steps, (long) (h >> j) * (w >> j));
            params += e[0] + (search ? (steps + 2) * ch[j] + (steps > 1 ? 1 : 0) : 0);
            macs += e[1];
        }
        return new long[]{params + ch[ch.length - 1] * classes + classes, macs + ch[ch.length - 1] * classes};
    }

    static GraphStats stats(String name, String mode) {
        ModelSpec spec = ModelRegistry.get(name);
        ModelConfig cfg = spec.defaults().withArchitecture("{\"mode\": \"" + mode + "\"}");
        return GraphStats.of(spec.builder().build(cfg, ModelRegistry.defaultBase(1), GraphAssembler.Implementation.FAST),
                InputType.convolutional(cfg.height(), cfg.width(), 3));
    }

    @Test
    void referenceFiguresAreTheClosedFormCountsOfTheSearchNetworks() {
        long[] ch = {64, 96, 144, 216};
        for (boolean search : new boolean[]{false, true}) {
            long[] u = unet(4, 480, 512, ch, 2, 2, search);
            GraphStats su = stats("nas-unet", search ? "search" : "plain");
            assertEquals(u[0], su.paramsTrainable(), "search " + search);
            assertEquals(u[1], su.macs(), "search " + search);
            long[] c = classifier(10, 32, 32, new long[]{16, 32, 64}, 2, search);
            GraphStats sc = stats("nas-classifier", search ? "search" : "plain");
            assertEquals(c[0], sc.paramsTrainable(), "search " + search);
            assertEquals(c[1], sc.macs(), "search " + search);
        }
        long[] u = unet(4, 480, 512, ch, 2, 2, true);
        assertEquals(u[0], ModelRegistry.get("nas-unet").figures().trainableParams());
        assertEquals(u[1], ModelRegistry.get("nas-unet").figures().macs());
        long[] c = classifier(10, 32, 32, new long[]{16, 32, 64}, 2, true);
        assertEquals(c[0], ModelRegistry.get("nas-classifier").figures().trainableParams());
        assertEquals(c[1], ModelRegistry.get("nas-classifier").figures().macs());
        ComputationGraph built = ModelRegistry.build("nas-classifier", ModelRegistry.get("nas-classifier").defaults());
        assertEquals(stats("nas-classifier", "search").paramsTotal(), built.params().length(), "every parameter counted");
    }

    @Test
    void searchNetworksBuildFromTheRegistryAndSurviveJson() {
        ModelConfig cfg = new ModelConfig(3, 32, 32, 0.25, 1);
        ComputationGraph net = ModelRegistry.build("nas-unet", cfg);
        NasArchitecture a = NasModels.searchArchitecture(net);
        assertNotNull(a);
        assertEquals(16, a.encoder().get(0).channels(), "64 x width multiplier 0.25");
        assertTrue(a.depthRelaxed(), "min depth 2 < max depth 4: the U-Net depth relaxation is on");
        ComputationGraph back = new ComputationGraph(org.deeplearning4j.nn.conf.ComputationGraphConfiguration
                .fromJson(net.getConfiguration().toJson()));
        back.init();
        assertEquals(a, NasModels.searchArchitecture(back));
        assertEquals(net.numParams(), back.numParams());
        assertEquals(a, NasArchitecture.fromJson(a.toJson()));
        ComputationGraph cls = ModelRegistry.build("nas-classifier", new ModelConfig(10, 32, 32, 1.0, 1));
        assertEquals(NasArchitecture.CLASSIFIER, NasModels.searchArchitecture(cls).kind());
    }

    @Test
    void badSettingsAreClearErrors() {
        ModelConfig cfg = new ModelConfig(3, 32, 32, 1.0, 1);
        IllegalArgumentException typo = assertThrows(IllegalArgumentException.class,
                () -> NasModels.architecture("unet", cfg.withArchitecture("{\"stpes\": 3}")));
        assertTrue(typo.getMessage().contains("unknown nas setting \"stpes\""), typo.getMessage());
        IllegalArgumentException type = assertThrows(IllegalArgumentException.class,
                () -> NasModels.architecture("unet", cfg.withArchitecture("{\"steps\": \"two\"}")));
        assertTrue(type.getMessage().startsWith("nas setting \"steps\": "), type.getMessage());
        IllegalArgumentException depth = assertThrows(IllegalArgumentException.class,
                () -> NasModels.architecture("unet", cfg.withArchitecture("{\"min-depth\": 1}")));
        assertTrue(depth.getMessage().contains("2 <= min-depth <= max-depth"), depth.getMessage());
        IllegalArgumentException f = assertThrows(IllegalArgumentException.class,
                () -> NasModels.architecture("unet", cfg.withArchitecture("{\"f\": \"huber\"}")));
        assertTrue(f.getMessage().contains("mse, l1 or linear"), f.getMessage());
        IllegalArgumentException stride = assertThrows(IllegalArgumentException.class,
                () -> ModelRegistry.build("nas-unet", new ModelConfig(3, 36, 36, 1.0, 1)));
        assertTrue(stride.getMessage().contains("divisible by 8"), stride.getMessage());
    }
}
