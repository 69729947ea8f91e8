package org.segspark.jobs.bench;

import org.junit.jupiter.api.Test;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class MachineProbeTest {
    @Test
    void measuresWhatTheCoresAndMemoryDeliver() {
        MachineProbe p = MachineProbe.measure(2);
        assertEquals(2, p.threads());
        // any x86-64 or ARM core of the last fifteen years: above 0.5 G multiply-adds/s and 1 GB/s of copies
        assertTrue(p.fmaGflops() > 0.5, p.toString());
        assertTrue(p.copyGbs() > 1, p.toString());
        // two threads started together get at least half of one thread's work done, and at most
        // twice the thread count: more than 2x is seen when the one-thread run shared the cores
        // (copies at 2.61x with a test JVM's leftover threads busy), a units slip would give far more
        assertTrue(p.fmaScaling() > 0.5 && p.fmaScaling() < 4, p.toString());
        assertTrue(p.copyScaling() > 0.5 && p.copyScaling() < 4, p.toString());
        assertTrue(p.describe().startsWith("multiply-adds "), p.describe());
    }

    @Test
    void aProbeNeedsAThread() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> MachineProbe.measure(0));
        assertTrue(e.getMessage().contains("at least one thread"), e.getMessage());
    }

    @Test
    void aTablePrintsTheProbesItsResultHas() {
        Map<String, Object> result = new LinkedHashMap<>();
        assertEquals("", MachineProbe.atStartAndEnd(result));
        result.put("machine_at_start", new MachineProbe(2, 7.1, 1.9, 38.0, 1.1));
        result.put("machine_at_end", new MachineProbe(2, 7.0, 1.0, 20.0, 1.0));
        List<String> lines = MachineProbe.atStartAndEnd(result).lines().toList();
        assertEquals(List.of(
                "machine at the start: multiply-adds 7.1 G/s on one thread, x1.90 on 2; memory copy 38.0 GB/s on one thread, x1.10 on 2",
                "machine at the end: multiply-adds 7.0 G/s on one thread, x1.00 on 2; memory copy 20.0 GB/s on one thread, x1.00 on 2"),
                lines);
    }

    @Test
    void eachRoundIsComparedWithItsOwnPeer() {
        // round 2's machine ran everything at half speed: the paired ratios see through it
        assertEquals(List.of(2.0, 2.0), TrainBenchmark.ratios(List.of(20.0, 10.0), List.of(10.0, 5.0)));
    }
}
