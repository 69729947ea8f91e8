package org.segspark.models.layers;

/** How many threads segspark's own kernels may use per call (see NativeSpeed.setThreads). */
public final class KernelThreads {
    private static volatile int threads = Runtime.getRuntime().availableProcessors();

    private KernelThreads() {
    }

    public static void set(int n) {
        threads = Math.max(1, n);
    }

    public static int get() {
        return threads;
    }
}
