package org.segspark.jobs.train;

import org.deeplearning4j.nn.conf.inputs.InputType;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.segspark.jobs.config.JobConfig;
import org.segspark.models.ModelConfig;
import org.segspark.models.ModelOption;
import org.segspark.models.ModelSpec;
import org.segspark.models.graph.GraphStats;
import org.segspark.models.registry.ModelRegistry;

import java.io.OutputStream;
import java.io.PrintStream;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Every model is given only its own options: each one it declares changes its network, any other is refused. */
class ModelOptionsTest {
    static Stream<ModelSpec> models() {
        return ModelRegistry.all().values().stream();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("models")
    void eachDeclaredOptionChangesTheNetworkAndEveryOtherIsRefused(ModelSpec spec) {
        ModelConfig base = spec.defaults();
        GraphStats before = stats(spec, base);
        for (ModelOption o : spec.options()) {
            if (o == ModelOption.PRETRAINED) {
                continue;   // weights, not structure: the pretrained-weights tests load them
            }
            if (o == ModelOption.PADDING) {
                // no size suits both paddings: valid at the paper's 572 gives the paper's smaller output
                GraphStats valid = stats(spec, base.withInput(572, 572).withPadding(ModelConfig.VALID));
                assertTrue(lastShape(valid).contains("388"), lastShape(valid));
                assertTrue(lastShape(before).contains(String.valueOf(base.height())), lastShape(before));
                continue;
            }
            GraphStats after = stats(spec, changed(base, o));
            assertNotEquals(List.of(before.paramsTotal(), before.paramsTrainable(), before.macs()),
                    List.of(after.paramsTotal(), after.paramsTrainable(), after.macs()), spec.name() + " " + o.id());
        }
        Set<ModelOption> foreign = EnumSet.allOf(ModelOption.class);
        foreign.removeAll(spec.options());
        for (ModelOption o : foreign) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> spec.requireOptions(Set.of(o)));
            assertTrue(e.getMessage().startsWith(o.id() + " is not an option of " + spec.name()), e.getMessage());
        }
        spec.requireOptions(spec.options());
    }

    @Test
    void aRunSettingAnotherModelsOptionIsRefusedWithTheModelsOwn() {
        TrainConfig cfg = TrainConfig.from(JobConfig.of("train").set(List.of("train.data=d", "train.out=o",
                "train.model=unet", "train.model-options.head=softmax", "train.model-options.padding=valid")).load()
                .section("train"));
        NetworkFactory f = new NetworkFactory(cfg, null, new PrintStream(OutputStream.nullOutputStream()));
        assertEquals(EnumSet.of(ModelOption.PADDING, ModelOption.HEAD), f.givenOptions());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> ModelRegistry.get("unet").requireOptions(f.givenOptions()));
        assertEquals("head is not an option of unet (its options: padding)", e.getMessage());
        TrainConfig alpha = TrainConfig.from(JobConfig.of("train").set(List.of("train.data=d", "train.out=o",
                "train.width-multiplier=0.5")).load().section("train"));
        assertEquals(EnumSet.of(ModelOption.WIDTH_MULTIPLIER),
                new NetworkFactory(alpha, null, new PrintStream(OutputStream.nullOutputStream())).givenOptions());
    }

    private static ModelConfig changed(ModelConfig c, ModelOption o) {
        return switch (o) {
            case WIDTH_MULTIPLIER -> c.withWidthMultiplier(0.5);
            case OUTPUT_STRIDE -> c.withOutputStride(c.outputStride() == 16 ? 8 : 16);
            case HEAD -> c.withHead(c.head().equals(ModelConfig.SIGMOID) ? ModelConfig.SOFTMAX : ModelConfig.SIGMOID);
            case FREEZE_ENCODER -> c.withFreezeEncoder(!c.freezeEncoder());
            case ARCHITECTURE -> c.withArchitecture("{\"steps\": 1}");
            case PADDING, PRETRAINED -> c;
        };
    }

    private static String lastShape(GraphStats s) {
        return s.layers().get(s.layers().size() - 1).outputShape();
    }

    private static GraphStats stats(ModelSpec spec, ModelConfig c) {
        return GraphStats.of(ModelRegistry.configuration(spec.name(), c), InputType.convolutional(c.height(), c.width(), 3));
    }
}
