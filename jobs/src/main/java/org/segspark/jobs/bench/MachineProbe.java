package org.segspark.jobs.bench;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.BrokenBarrierException;
import java.util.concurrent.CyclicBarrier;

/**
 * How much of the machine a benchmark got, measured when it starts and when it ends. On a shared
 * virtual machine the host decides part of it: on machine B (docs/BENCHMARKS.md) arithmetic on
 * registers ran twice as fast on two threads as on one, but two single-threaded matrix products
 * started together each ran at half the speed of one alone, because the caches and the memory
 * behind them are shared with the host. A figure without the machine's state beside it cannot be
 * told apart from a change in the code.
 *
 * <p>Two probes, each run on one thread and then on {@code threads} threads at once: multiply-adds
 * on registers (what the cores compute) and copies of arrays far larger than the caches (what
 * memory delivers). Training steps at 128x128 lean on both: the 1x1 products on the first, batch
 * norm and the depthwise convolutions on the second.
 *
 * @param fmaGflops   one thread's fused multiply-adds, billions per second
 * @param fmaScaling  all threads' multiply-adds at once over one thread's (the cores' worth one gets)
 * @param copyGbs     one thread's copy bandwidth, GB/s read plus written
 * @param copyScaling all threads' copy bandwidth at once over one thread's
 */
public record MachineProbe(int threads, double fmaGflops, double fmaScaling, double copyGbs, double copyScaling) {
    private static final int CHAINS = 16;
    private static final long FMA_ITERATIONS = 50_000_000;
    private static final int COPY_FLOATS = 16 << 20;
    private static final int COPY_REPEATS = 8;

    public static MachineProbe measure(int threads) {
        if (threads < 1) {
            throw new IllegalArgumentException("a machine probe needs at least one thread, got " + threads);
        }
        for (int i = 0; i < 40; i++) {
            fma(FMA_ITERATIONS / 20); // called often enough that HotSpot's C2 compiles the loop before it is timed
        }
        double fmaOne = rate(1, MachineProbe::fmaRate);
        double fmaAll = rate(threads, MachineProbe::fmaRate);
        double copyOne = rate(1, MachineProbe::copyRate);
        double copyAll = rate(threads, MachineProbe::copyRate);
        return new MachineProbe(threads, fmaOne / 1e9, fmaAll / fmaOne, copyOne / 1e9, copyAll / copyOne);
    }

    /** The lines a benchmark's table prints under its title: the probes at its start and end, where it took them. */
    public static String atStartAndEnd(Map<String, Object> result) {
        StringBuilder sb = new StringBuilder();
        for (String when : List.of("start", "end")) {
            if (result.get("machine_at_" + when) instanceof MachineProbe p) {
                sb.append(String.format(Locale.ROOT, "machine at the %s: %s%n", when, p.describe()));
            }
        }
        return sb.toString();
    }

    /** One line for a benchmark's table. */
    public String describe() {
        return String.format(Locale.ROOT, "multiply-adds %.1f G/s on one thread, x%.2f on %d; memory copy %.1f GB/s on "
                + "one thread, x%.2f on %d", fmaGflops, fmaScaling, threads, copyGbs, copyScaling, threads);
    }

    /** One thread's work: prepares, waits for the others at {@code start}, then returns its units per second. */
    private interface Work {
        double run(CyclicBarrier start);
    }

    /** Units per second summed over {@code threads} threads whose timed parts start together. */
    private static double rate(int threads, Work work) {
        CyclicBarrier start = new CyclicBarrier(threads);
        double[] rates = new double[threads];
        RuntimeException[] failure = new RuntimeException[1];
        List<Thread> workers = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
            int slot = t;
            Thread w = new Thread(() -> rates[slot] = work.run(start), "machine-probe-" + t);
            w.setUncaughtExceptionHandler((th, e) -> {
                synchronized (failure) {
                    failure[0] = new IllegalStateException("machine probe thread " + th.getName() + " failed", e);
                }
                start.reset(); // the others stop waiting
            });
            workers.add(w);
            w.start();
        }
        for (Thread w : workers) {
            try {
                w.join();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("machine probe interrupted", e);
            }
        }
        synchronized (failure) {
            if (failure[0] != null) {
                throw failure[0];
            }
        }
        double sum = 0;
        for (double r : rates) {
            sum += r;
        }
        return sum;
    }

    private static void await(CyclicBarrier start) {
        try {
            start.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("machine probe interrupted", e);
        } catch (BrokenBarrierException e) {
            throw new IllegalStateException("a machine probe thread failed", e);
        }
    }

    private static double fmaRate(CyclicBarrier start) {
        await(start);
        long t0 = System.nanoTime();
        double units = fma(FMA_ITERATIONS);
        return units / ((System.nanoTime() - t0) / 1e9);
    }

    /** Multiply-adds in independent chains, enough of them to keep every FMA unit of a core busy; returns how many. */
    private static double fma(long iterations) {
        double m = 0.999_999, c = 1e-7;
        double a0 = 1, a1 = 1, a2 = 1, a3 = 1, a4 = 1, a5 = 1, a6 = 1, a7 = 1;
        double a8 = 1, a9 = 1, a10 = 1, a11 = 1, a12 = 1, a13 = 1, a14 = 1, a15 = 1;
        for (long i = 0; i < iterations; i++) {
            a0 = Math.fma(a0, m, c);
            a1 = Math.fma(a1, m, c);
            a2 = Math.fma(a2, m, c);
            a3 = Math.fma(a3, m, c);
            a4 = Math.fma(a4, m, c);
            a5 = Math.fma(a5, m, c);
            a6 = Math.fma(a6, m, c);
            a7 = Math.fma(a7, m, c);
            a8 = Math.fma(a8, m, c);
            a9 = Math.fma(a9, m, c);
            a10 = Math.fma(a10, m, c);
            a11 = Math.fma(a11, m, c);
            a12 = Math.fma(a12, m, c);
            a13 = Math.fma(a13, m, c);
            a14 = Math.fma(a14, m, c);
            a15 = Math.fma(a15, m, c);
        }
        double sum = a0 + a1 + a2 + a3 + a4 + a5 + a6 + a7 + a8 + a9 + a10 + a11 + a12 + a13 + a14 + a15;
        // the sum is always positive: the test keeps the loop from being removed as dead code
        return sum > 0 ? (double) iterations * CHAINS : 0;
    }

    /** Copies of a 64 MiB array (twice the 32 MiB L3 of machine B): bytes read and written per second. */
    private static double copyRate(CyclicBarrier start) {
        float[] from = new float[COPY_FLOATS], to = new float[COPY_FLOATS];
        Arrays.fill(from, 1f);
        System.arraycopy(from, 0, to, 0, COPY_FLOATS); // every page touched before the clock starts
        await(start);
        long t0 = System.nanoTime();
        for (int r = 0; r < COPY_REPEATS; r++) {
            System.arraycopy(from, 0, to, 0, COPY_FLOATS);
        }
        double seconds = (System.nanoTime() - t0) / 1e9;
        return to[COPY_FLOATS - 1] == 1f ? 2.0 * Float.BYTES * COPY_FLOATS * COPY_REPEATS / seconds : 0;
    }
}
