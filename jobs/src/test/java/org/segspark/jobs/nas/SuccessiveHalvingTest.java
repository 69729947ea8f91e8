package org.segspark.jobs.nas;

import com.typesafe.config.ConfigFactory;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class SuccessiveHalvingTest {
    @Test
    void rungsGrowByEtaUpToTheRunsEpochs() {
        assertEquals(List.of(1, 3, 9, 10), SuccessiveHalving.rungs(1, 3, 10));
        assertEquals(List.of(1, 2), SuccessiveHalving.rungs(1, 2, 2));
        assertEquals(List.of(5), SuccessiveHalving.rungs(5, 3, 5));
    }

    /** Nine trials whose metric is their index: rung by rung only the best third goes on. */
    @Test
    void eachRungKeepsTheBestThirdAndStopsTheRest() throws Exception {
        List<SweepTrial> trials = new ArrayList<>();
        for (int i = 0; i < 9; i++) {
            trials.add(new SweepTrial("t" + i, Map.of("i", i)));
        }
        List<String> rounds = new ArrayList<>();
        List<TrialResult> stopped = new ArrayList<>();
        SuccessiveHalving.Round round = (batch, epochs, resume) -> {
            rounds.add(batch.size() + " trials to " + epochs + (resume ? " resumed" : ""));
            return batch.stream().map(t -> result(t, epochs)).toList();
        };
        List<TrialResult> out = SuccessiveHalving.run(trials, List.of(1, 3, 9), 3, round, stopped::add,
                new PrintStream(new ByteArrayOutputStream()));
        assertEquals(List.of("9 trials to 1", "3 trials to 3 resumed", "1 trials to 9 resumed"), rounds);
        assertEquals(9, out.size());
        assertEquals(8, stopped.size());
        TrialResult best = out.stream().filter(TrialResult::ok).findFirst().orElseThrow();
        assertEquals("t8", best.id());
        assertEquals(9, best.epochs());
        assertEquals(3.0 * (1 + 3 + 9), best.seconds(), 1e-9, "the rungs' seconds add up");
        for (TrialResult s : stopped) {
            assertEquals(TrialResult.STOPPED, s.status());
            assertNotEquals("t8", s.id());
            assertTrue(s.stopped().startsWith(s.epochs() == 1 ? "rung 1 of 3" : "rung 2 of 3"), s.stopped());
        }
    }

    @Test
    void randomTrialsAreDrawnFromListsAndRangesTheSameWayForTheSameSeed() {
        var space = ConfigFactory.parseString("{optimizer.lr {min = 0.0001, max = 0.1, log = true}, batch = [4, 8], "
                + "epochs {min = 2, max = 6}}");
        List<SweepTrial> a = SweepTrial.random(space, 20, 7), b = SweepTrial.random(space, 20, 7);
        assertEquals(a, b);
        for (SweepTrial t : a) {
            double lr = ((Number) t.settings().get("optimizer.lr")).doubleValue();
            assertTrue(lr >= 1e-4 && lr <= 0.1, t.toString());
            assertTrue(List.of(4, 8).contains(t.settings().get("batch")), t.toString());
            assertTrue(t.settings().get("epochs") instanceof Integer e && e >= 2 && e <= 6, t.toString());
        }
        assertTrue(a.stream().anyMatch(t -> ((Number) t.settings().get("optimizer.lr")).doubleValue() < 1e-3)
                && a.stream().anyMatch(t -> ((Number) t.settings().get("optimizer.lr")).doubleValue() > 1e-2),
                "log-uniform: every decade is drawn");
    }

    private static TrialResult result(SweepTrial t, int epochs) {
        double metric = (Integer) t.settings().get("i") / 10.0;
        return new TrialResult(t.id(), t.settings(), "cpu", "driver", null, "unet", "miou", 1L, 1L, 1L, 1L, metric, metric,
                TrialResult.OK, null, 3.0 * epochs, null, epochs, null);
    }
}
