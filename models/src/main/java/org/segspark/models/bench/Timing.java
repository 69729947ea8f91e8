package org.segspark.models.bench;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;

/**
 * How one measurement warms up and how long it is timed: warm-up steps and seconds, then timed steps
 * and seconds, each phase lasting as long as the longer of its two. Timing by seconds as well as
 * steps gives a 40 ms step and a 400 ms one the same stretch of the machine's state; twenty steps of
 * 40 ms are under a second, shorter than the slow spells of a shared host.
 */
public record Timing(int warmupSteps, double warmupSeconds, int steps, double seconds) {
    public Timing {
        if (warmupSteps < 0 || warmupSeconds < 0 || steps < 1 || seconds < 0) {
            throw new IllegalArgumentException("timing needs warm-up steps and seconds >= 0, steps >= 1, seconds >= 0; got "
                    + warmupSteps + ", " + warmupSeconds + ", " + steps + ", " + seconds);
        }
    }

    /** A fixed number of warm-up and timed steps. */
    public static Timing ofSteps(int warmupSteps, int steps) {
        return new Timing(warmupSteps, 0, steps, 0);
    }

    /** The same timed phase after a different warm-up time. */
    public Timing warmingFor(double seconds) {
        return new Timing(warmupSteps, seconds, steps, this.seconds);
    }

    /**
     * Runs the warm-up, then times steps; each {@code next.get()} prepares a step outside the timed
     * region (a fresh batch, say) and returns what is timed. Returns every timed step's seconds.
     */
    public List<Double> stepSeconds(Supplier<Runnable> next) {
        long until = System.nanoTime() + (long) (warmupSeconds * 1e9);
        for (int i = 0; i < warmupSteps || System.nanoTime() < until; i++) {
            next.get().run();
        }
        List<Double> times = new ArrayList<>();
        long start = System.nanoTime(), stop = start + (long) (seconds * 1e9);
        while (times.size() < steps || System.nanoTime() < stop) {
            Runnable step = next.get();
            long t = System.nanoTime();
            step.run();
            times.add((System.nanoTime() - t) / 1e9);
        }
        return times;
    }

    /** The median of {@link #stepSeconds}. */
    public double medianSeconds(Supplier<Runnable> next) {
        return SingleProcessBenchmark.median(stepSeconds(next));
    }
}
