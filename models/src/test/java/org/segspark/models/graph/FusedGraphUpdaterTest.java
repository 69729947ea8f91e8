package org.segspark.models.graph;

import org.deeplearning4j.nn.conf.GradientNormalization;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.util.ModelSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.api.MultiDataSet;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.learning.config.Adam;
import org.nd4j.linalg.learning.config.Nesterovs;
import org.nd4j.linalg.schedule.ExponentialSchedule;
import org.nd4j.linalg.schedule.ScheduleType;
import org.segspark.models.ModelConfig;
import org.segspark.models.ModelSpec;
import org.segspark.models.bench.SingleProcessBenchmark;
import org.segspark.models.registry.ModelRegistry;

import java.io.File;
import java.util.function.Supplier;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The fused updater against DL4J's own, step for step, on a registry network with batch norm (many blocks). */
class FusedGraphUpdaterTest {
    private static final String MODEL = "mobilenet-v3-small";

    static Stream<Arguments> configurations() {
        Supplier<NeuralNetConfiguration.Builder> base = () -> ModelRegistry.defaultBase(7);
        return Stream.of(
                Arguments.of("adam", base.get()),
                Arguments.of("adam, l2", base.get().l2(1e-3)),
                Arguments.of("adamw", base.get().weightDecay(1e-2, true)),
                Arguments.of("adam, scheduled rate", base.get()
                        .updater(new Adam(new ExponentialSchedule(ScheduleType.ITERATION, 2e-3, 0.5)))),
                Arguments.of("nesterovs, l2 (dl4j's own steps)", base.get().updater(new Nesterovs(1e-2, 0.9)).l2(1e-3)));
    }

    private static ComputationGraph build(NeuralNetConfiguration.Builder base) {
        ModelSpec spec = ModelRegistry.get(MODEL);
        ModelConfig cfg = spec.defaults().withInput(32, 32).withClasses(5);
        return ModelRegistry.build(MODEL, cfg, base.clone());
    }

    private static MultiDataSet batch(int seed) {
        ModelSpec spec = ModelRegistry.get(MODEL);
        return SingleProcessBenchmark.randomBatch(spec.task(), spec.defaults().withInput(32, 32).withClasses(5), 6, seed);
    }

    /** A step on batch {@code step}, with the random numbers of its dropout drawn afresh from a seed. */
    private static void fit(ComputationGraph net, int step) {
        Nd4j.getRandom().setSeed(100 + step);
        net.fit(batch(step));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("configurations")
    void stepsAsDl4jDoes(String name, NeuralNetConfiguration.Builder base) {
        ComputationGraph dl4j = build(base);
        ComputationGraph fused = FusedGraphUpdater.install(build(base));
        assertInstanceOf(FusedGraphUpdater.class, fused.getUpdater());
        assertEquals(dl4j.params(), fused.params(), "same start");
        INDArray start = dl4j.params().dup();
        fit(dl4j, 0);
        fit(fused, 0);
        // one step: the same arithmetic up to float rounding (libnd4j takes the bias corrections in float)
        double firstMoved = dl4j.params().sub(start).norm2Number().doubleValue();
        double firstApart = dl4j.params().sub(fused.params()).norm2Number().doubleValue();
        assertTrue(firstApart < 1e-5 * firstMoved, name + ": " + firstApart + " apart after one step of " + firstMoved);
        for (int step = 1; step < 4; step++) {
            fit(dl4j, step);
            fit(fused, step);
        }
        double moved = dl4j.params().sub(build(base).params()).norm2Number().doubleValue();
        double apart = dl4j.params().sub(fused.params()).norm2Number().doubleValue();
        double stateApart = dl4j.getUpdater().getStateViewArray().sub(fused.getUpdater().getStateViewArray())
                .norm2Number().doubleValue();
        double state = dl4j.getUpdater().getStateViewArray().norm2Number().doubleValue();
        System.out.printf("fused updater, %s: one step moved %.3e, apart %.3e; four steps moved %.3e, apart %.3e; "
                + "state %.3e, apart %.3e%n", name, firstMoved, firstApart, moved, apart, state, stateApart);
        assertTrue(moved > 1e-3, name + ": training moved the parameters " + moved);
        assertTrue(apart < 1e-4 * moved, name + ": parameters " + apart + " apart after 4 steps (moved " + moved + ")");
        assertTrue(stateApart < 1e-4 * state, name + ": optimiser state " + stateApart + " apart (norm " + state + ")");
    }

    @Test
    void gradientNormalisationIsLeftToDl4j() {
        NeuralNetConfiguration.Builder base = ModelRegistry.defaultBase(7)
                .gradientNormalization(GradientNormalization.ClipElementWiseAbsoluteValue).gradientNormalizationThreshold(0.01);
        ComputationGraph dl4j = build(base);
        ComputationGraph fused = FusedGraphUpdater.install(build(base));
        for (int step = 0; step < 2; step++) {
            fit(dl4j, step);
            fit(fused, step);
        }
        assertEquals(dl4j.params(), fused.params(), "DL4J's own update, bit for bit");
    }

    @Test
    void keepsTheStateItIsGivenAndSavesAsDl4j(@TempDir File dir) throws Exception {
        ComputationGraph net = build(ModelRegistry.defaultBase(7));
        fit(net, 0);
        INDArray state = net.getUpdater().getStateViewArray();
        INDArray before = state.dup();
        FusedGraphUpdater.install(net);
        assertSame(state, net.getUpdater().getStateViewArray(), "the state array itself, not a copy");
        assertEquals(before, net.getUpdater().getStateViewArray());
        fit(net, 1);

        File f = new File(dir, "net.zip");
        ModelSerializer.writeModel(net, f, true);
        ComputationGraph back = FusedGraphUpdater.install(ModelSerializer.restoreComputationGraph(f, true));
        assertEquals(net.getUpdater().getStateViewArray(), back.getUpdater().getStateViewArray());
        fit(net, 2);
        fit(back, 2);
        assertEquals(net.params(), back.params(), "a restored network steps as the one saved");
    }
}
