package org.segspark.models.bench;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class TimingTest {
    /** Records which calls were prepared and which were run, with {@code sleepMs} per run. */
    private static final class Counting {
        final List<Integer> prepared = new ArrayList<>();
        final List<Integer> ran = new ArrayList<>();
        private final long sleepMs;

        Counting(long sleepMs) {
            this.sleepMs = sleepMs;
        }

        Runnable next() {
            int i = prepared.size();
            prepared.add(i);
            return () -> {
                ran.add(i);
                try {
                    Thread.sleep(sleepMs);
                } catch (InterruptedException e) {
                    throw new IllegalStateException(e);
                }
            };
        }
    }

    @Test
    void stepsAloneTimeExactlyThatManyAfterTheWarmUp() {
        Counting c = new Counting(0);
        List<Double> times = Timing.ofSteps(3, 5).stepSeconds(c::next);
        assertEquals(5, times.size());
        assertEquals(8, c.ran.size());
        assertEquals(c.prepared, c.ran, "every prepared step runs, in order");
    }

    @Test
    void secondsKeepTheTimedPhaseGoingPastItsSteps() {
        Counting c = new Counting(5);
        List<Double> times = new Timing(0, 0, 2, 0.2).stepSeconds(c::next);
        // at 5 ms a step, 0.2 s is 40 steps; a loaded machine may fit fewer, never as few as 2
        assertTrue(times.size() > 10, "timed steps: " + times.size());
        assertEquals(times.size(), c.ran.size());
        times.forEach(t -> assertTrue(t >= 0.004, "a step took " + t + " s"));
    }

    @Test
    void warmUpSecondsRunUntimedStepsFirst() {
        Counting c = new Counting(5);
        List<Double> times = new Timing(1, 0.1, 3, 0).stepSeconds(c::next);
        assertEquals(3, times.size());
        assertTrue(c.ran.size() > 8, "steps run: " + c.ran.size());
        Timing warmer = Timing.ofSteps(1, 3).warmingFor(0.1);
        assertEquals(new Timing(1, 0.1, 3, 0), warmer);
    }

    @Test
    void badFiguresAreRejected() {
        assertThrows(IllegalArgumentException.class, () -> new Timing(0, 0, 0, 1));
        assertThrows(IllegalArgumentException.class, () -> new Timing(-1, 0, 1, 0));
        assertThrows(IllegalArgumentException.class, () -> new Timing(0, -1, 1, 0));
        assertThrows(IllegalArgumentException.class, () -> new Timing(0, 0, 1, -0.5));
    }
}
