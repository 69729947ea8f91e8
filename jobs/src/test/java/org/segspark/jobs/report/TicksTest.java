package org.segspark.jobs.report;

import org.junit.jupiter.api.Test;

import java.util.HashSet;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class TicksTest {
    @Test
    void linearAxesEndOnRoundNumbersWithDistinctLabels() {
        Ticks t = Ticks.linear(0.0123, 0.9377, 5, false);
        assertEquals(0.0, t.min(), 1e-12);
        assertEquals(1.0, t.max(), 1e-12);
        assertEquals(List.of("0.0", "0.2", "0.4", "0.6", "0.8", "1.0"), t.values().stream().map(t::label).toList());
        Ticks fine = Ticks.linear(0.9301, 0.9342, 5, false);
        List<String> labels = fine.values().stream().map(fine::label).toList();
        assertEquals(labels.size(), new HashSet<>(labels).size(), "neighbouring ticks differ: " + labels);
        assertTrue(labels.contains("0.932"), labels.toString());
    }

    @Test
    void oneValueGetsABandAroundItNotACollapsedAxis() {
        Ticks t = Ticks.linear(650_694, 650_694, 8, false);
        assertTrue(t.min() < 650_694 && t.max() > 650_694, t.toString());
        List<String> labels = t.values().stream().map(t::label).toList();
        assertEquals(labels.size(), new HashSet<>(labels).size(), labels.toString());
        assertTrue(labels.contains("640k") && labels.contains("660k"), labels.toString());
    }

    @Test
    void epochsTickAtWholeNumbersAndLogAxesAtPowersOfTen() {
        Ticks epochs = Ticks.linear(1, 3, 8, true);
        assertEquals(List.of("1", "2", "3"), epochs.values().stream().map(epochs::label).toList());
        Ticks lr = Ticks.logarithmic(1.3e-4, 0.027);
        assertEquals(1e-4, lr.min(), 1e-12);
        assertEquals(0.1, lr.max(), 1e-12);
        assertTrue(lr.values().stream().map(lr::label).toList().containsAll(List.of("0.0001", "0.001", "0.01", "0.1")));
        assertEquals(0.5, lr.position(Math.sqrt(1e-4 * 0.1)), 1e-9);
    }
}
