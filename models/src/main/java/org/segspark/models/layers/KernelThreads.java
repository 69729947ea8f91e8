package org.segspark.models.layers;

import java.util.concurrent.ForkJoinPool;
import java.util.concurrent.ForkJoinTask;

/** How many threads segspark's own kernels may use per call (see NativeSpeed.setThreads), and the pool they run on. */
public final class KernelThreads {
    /** Below this much work a call is not worth splitting across threads. */
    private static final long PARALLEL_THRESHOLD = 1 << 16;
    private static final ForkJoinPool POOL = new ForkJoinPool(Math.max(1, Runtime.getRuntime().availableProcessors()));
    private static volatile int threads = Runtime.getRuntime().availableProcessors();

    private KernelThreads() {
    }

    public static void set(int n) {
        threads = Math.max(1, n);
    }

    public static int get() {
        return threads;
    }

    /** A share of the items [from, to). */
    public interface Range {
        void run(int from, int to);
    }

    /**
     * Runs {@code body} over [0, items) in up to {@link #get()} contiguous parts, one per thread, when
     * {@code work} (a count of elementary operations) is worth it.
     */
    public static void split(int items, long work, Range body) {
        int parts = Math.min(Math.min(POOL.getParallelism(), get()), items);
        if (parts <= 1 || work < PARALLEL_THRESHOLD) {
            body.run(0, items);
            return;
        }
        // the calling thread does the first part itself: handing every part to the pool left it
        // idle and woke one more thread per call
        ForkJoinTask<?>[] others = new ForkJoinTask<?>[parts - 1];
        for (int t = 1; t < parts; t++) {
            int from = (int) ((long) items * t / parts), to = (int) ((long) items * (t + 1) / parts);
            others[t - 1] = POOL.submit(() -> body.run(from, to));
        }
        body.run(0, (int) ((long) items / parts));
        for (ForkJoinTask<?> o : others) {
            o.join();
        }
    }
}
