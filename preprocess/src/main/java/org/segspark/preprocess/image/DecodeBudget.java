package org.segspark.preprocess.image;

import java.util.concurrent.Semaphore;

/**
 * Memory for decoded pixels, shared by every decode in this JVM. The bomb guard bounds one image
 * (100 M pixels by default: about 700 MB while decoding); an executor running several tasks could
 * still hold several such images at once and run out of heap. Each decode takes its estimated
 * bytes from this budget first and waits while other decodes hold it; one image larger than the
 * whole budget decodes alone.
 */
final class DecodeBudget {
    /** Bytes held per pixel while decoding: the decoder's raster (up to 4) and the RGB copy (3), rounded up. */
    static final int BYTES_PER_PIXEL = 8;
    private static final int UNIT = 1 << 16;
    private static final int PERMITS = (int) Math.max(1, Math.min(Integer.MAX_VALUE,
            Runtime.getRuntime().maxMemory() / 4 / UNIT));
    private static final Semaphore BUDGET = new Semaphore(PERMITS, true);

    private DecodeBudget() {
    }

    /** A held share of the budget, given back by {@link Lease#close()}. */
    static final class Lease implements AutoCloseable {
        private final int permits;

        private Lease(int permits) {
            this.permits = permits;
        }

        @Override
        public void close() {
            BUDGET.release(permits);
        }
    }

    /** Waits until {@code pixels} can be decoded within the budget. */
    static Lease acquire(long pixels) {
        long units = (pixels * BYTES_PER_PIXEL + UNIT - 1) / UNIT;
        int permits = (int) Math.max(1, Math.min(PERMITS, units));
        BUDGET.acquireUninterruptibly(permits);
        return new Lease(permits);
    }

    /** The budget in bytes (a quarter of the heap). */
    static long bytes() {
        return (long) PERMITS * UNIT;
    }
}
