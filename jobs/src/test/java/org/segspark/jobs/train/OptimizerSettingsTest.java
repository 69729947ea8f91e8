package org.segspark.jobs.train;

import org.segspark.jobs.records.EpochMetrics;

import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.junit.jupiter.api.Test;
import org.segspark.models.ModelConfig;
import org.segspark.models.registry.ModelRegistry;
import org.segspark.core.Task;
import org.nd4j.linalg.learning.config.Adam;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Learning-rate schedules, their survival through a network's JSON, and the early-stopping rule. */
class OptimizerSettingsTest {

    @Test
    void schedulesFollowTheirFormulas() {
        EpochLrSchedule cosine = new EpochLrSchedule("cosine", 0.1, 10, 2, 1, 1);
        assertEquals(0.1 / 3, cosine.valueAt(0, 0), 1e-12, "warm-up, first epoch");
        assertEquals(0.2 / 3, cosine.valueAt(0, 1), 1e-12);
        assertEquals(0.1, cosine.valueAt(0, 2), 1e-12, "warm-up over: the full rate");
        assertEquals(0.05, cosine.valueAt(0, 6), 1e-12, "half way through the cosine");
        EpochLrSchedule step = new EpochLrSchedule("step", 0.1, 30, 0, 10, 0.1);
        assertEquals(0.1, step.valueAt(0, 9), 1e-12);
        assertEquals(0.01, step.valueAt(0, 10), 1e-12);
        assertEquals(0.001, step.valueAt(0, 25), 1e-12);
        assertEquals(0.1, new EpochLrSchedule("constant", 0.1, 5, 0, 1, 1).valueAt(99, 4), 1e-12);
        assertThrows(IllegalArgumentException.class, () -> new EpochLrSchedule("linear", 0.1, 5, 0, 1, 1));
        assertThrows(IllegalArgumentException.class, () -> new EpochLrSchedule("cosine", 0.1, 5, 5, 1, 1));
        assertThrows(IllegalArgumentException.class, () -> new EpochLrSchedule("step", 0.1, 5, 0, 0, 0.5));
    }

    @Test
    void aScheduledNetworkKeepsItsScheduleThroughJsonAndFollowsItsEpochCount() {
        EpochLrSchedule schedule = new EpochLrSchedule("step", 0.01, 6, 1, 2, 0.5);
        ComputationGraph net = ModelRegistry.build("unet", new ModelConfig(2, 32, 32, 0.25, 1),
                ModelRegistry.defaultBase(1).updater(new Adam(schedule)));
        ComputationGraphConfiguration back = ComputationGraphConfiguration.fromJson(net.getConfiguration().toJson());
        ComputationGraph copy = new ComputationGraph(back);
        copy.init();
        String layer = copy.getLayers()[0].conf().getLayer().getLayerName();
        for (int epoch = 0; epoch < 6; epoch++) {
            copy.getConfiguration().setEpochCount(epoch);
            assertEquals(schedule.valueAt(0, epoch), copy.getLearningRate(layer), 1e-12, "epoch " + epoch);
        }
    }

    static EpochMetrics epoch(int e, Double miou) {
        return new EpochMetrics(e, 1.0, 1.0, miou, 0.5, null, List.of(), null, null, 1, 1, 1, 1);
    }

    @Test
    void theBestEpochIsTheLastGainOfAtLeastMinDelta() {
        List<EpochMetrics> h = List.of(epoch(1, 0.5), epoch(2, 0.6), epoch(3, 0.605), epoch(4, 0.59), epoch(5, null));
        assertEquals(3, EpochMetrics.bestEpoch(h, Task.SEGMENTATION, 0));
        assertEquals(2, EpochMetrics.bestEpoch(h, Task.SEGMENTATION, 0.01), "0.605 is not 0.01 above 0.6");
        assertTrue(EpochMetrics.bestEpoch(List.of(epoch(1, null)), Task.SEGMENTATION, 0) == 1);
    }
}
