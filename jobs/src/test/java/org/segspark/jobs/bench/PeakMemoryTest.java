package org.segspark.jobs.bench;

import org.junit.jupiter.api.Test;

import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertTrue;

/** The benchmark's memory figures come from /proc: this JVM as the driver, and any executor process running beside it. */
class PeakMemoryTest {

    @Test
    void findsTheDriverAndAnExecutorByItsCommandLine() throws Exception {
        // a stand-in whose command line reads like an executor's: sh -c CMD NAME ARGS puts NAME and ARGS in it
        Process executor = new ProcessBuilder("sh", "-c", "sleep 30", "CoarseGrainedExecutorBackend", "--executor-id", "7")
                .start();
        try (PeakMemory memory = PeakMemory.ofThisJvm()) {
            byte[][] held = new byte[64][];
            for (int i = 0; i < held.length; i++) {
                held[i] = new byte[1 << 20];
                held[i][4096] = 1;
            }
            Thread.sleep(700);
            Map<String, Long> peaks = memory.peaks();
            assertTrue(peaks.getOrDefault("driver", 0L) > 64L << 20, "this JVM's peak: " + peaks);
            assertTrue(peaks.getOrDefault("executor 7", 0L) > 0, "the executor's peak: " + peaks);
            assertTrue(held[63][4096] == 1);
        } finally {
            executor.destroy();
            executor.waitFor(10, TimeUnit.SECONDS);
        }
    }
}
