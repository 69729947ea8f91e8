package org.segspark.models.layers;

import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;

/**
 * How many threads segspark's own kernels may use per call (see NativeSpeed.setThreads), and the
 * helper threads that run the other parts of a split call.
 *
 * <p>The helpers wait for the next part spinning for {@link #SPIN_NANOS} before they park. A
 * training step makes a hundred or more split calls, a few hundred microseconds apart (MobileNetV1
 * at 128x128: batch norm, 1x1 convolutions), and handing a part to a parked thread cost 12-85 us on
 * this kind of virtual machine (a ForkJoinPool, trivial parts): more than the second thread saved
 * on a batch norm over 8x8 maps, whose two-thread step was slower than its one-thread step.
 *
 * <p>A caller runs a part itself when its helper has not started it by the time the caller's own
 * part is done. On two cores a helper loses its core to the JIT compiler, the garbage collector or
 * OpenMP's threads often enough that MobileNetV1's training step at 128x128 waited 4-9 ms per step
 * for helpers (hand-offs of 30-90 us on average, about one in a hundred over 0.5 ms).
 *
 * <p>One caller at a time uses the helpers: when Spark runs several tasks in one JVM, each task's
 * thread already has a core, and a call that finds the helpers busy runs on its own thread.
 */
public final class KernelThreads {
    /** Below this much work a call is not worth splitting across threads. */
    private static final long PARALLEL_THRESHOLD = 1 << 16;
    /** How long a helper spins for its next part before it parks (system property segspark.kernel.spin-us). */
    static final long SPIN_NANOS = Long.getLong("segspark.kernel.spin-us", 200) * 1000;
    private static final int HELPERS = Math.max(0, Runtime.getRuntime().availableProcessors() - 1);
    private static final AtomicBoolean BUSY = new AtomicBoolean();
    private static volatile Helper[] helpers;
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
     * {@code work} (a count of elementary operations) is worth it. The calling thread runs the
     * first part itself.
     */
    public static void split(int items, long work, Range body) {
        int parts = Math.min(Math.min(HELPERS + 1, get()), items);
        if (parts <= 1 || work < PARALLEL_THRESHOLD || Thread.currentThread() instanceof Helper
                || !BUSY.compareAndSet(false, true)) {
            body.run(0, items);
            return;
        }
        try {
            Helper[] h = helpers();
            Part[] others = new Part[parts - 1];
            for (int t = 1; t < parts; t++) {
                others[t - 1] = new Part(body, (int) ((long) items * t / parts), (int) ((long) items * (t + 1) / parts));
                h[t - 1].give(others[t - 1]);
            }
            body.run(0, (int) ((long) items / parts));
            // a part its helper has not started yet (the helper lost its core to another thread,
            // or is still waking) runs here rather than being waited for
            for (Part p : others) {
                if (p.claim()) {
                    p.run();
                }
                p.await();
            }
        } finally {
            BUSY.set(false);
        }
    }

    private static Helper[] helpers() {
        Helper[] h = helpers;
        if (h == null) {
            synchronized (KernelThreads.class) {
                h = helpers;
                if (h == null) {
                    h = new Helper[HELPERS];
                    for (int i = 0; i < h.length; i++) {
                        h[i] = new Helper(i);
                        h[i].start();
                    }
                    helpers = h;
                }
            }
        }
        return h;
    }

    /** One part of a split call, handed to a helper; its caller waits for it. */
    private static final class Part {
        private final Range body;
        private final int from;
        private final int to;
        private final Thread caller = Thread.currentThread();
        private volatile boolean done;
        private volatile Throwable error;
        private final AtomicBoolean claimed = new AtomicBoolean();

        Part(Range body, int from, int to) {
            this.body = body;
            this.from = from;
            this.to = to;
        }

        /** True for the one thread that runs this part: its helper, or its caller when the helper has not started it. */
        boolean claim() {
            return claimed.compareAndSet(false, true);
        }

        void run() {
            try {
                body.run(from, to);
            } catch (Throwable e) {
                error = e;
            } finally {
                done = true;
                if (Thread.currentThread() != caller) {
                    LockSupport.unpark(caller);
                }
            }
        }

        void await() {
            long deadline = System.nanoTime() + SPIN_NANOS;
            while (!done) {
                if (System.nanoTime() < deadline) {
                    Thread.onSpinWait();
                } else {
                    LockSupport.parkNanos(this, 1_000_000);
                }
            }
            Throwable e = error;
            if (e instanceof RuntimeException r) {
                throw r;
            }
            if (e instanceof Error err) {
                throw err;
            }
            if (e != null) {
                throw new IllegalStateException(e);
            }
        }
    }

    private static final class Helper extends Thread {
        private final AtomicReference<Part> part = new AtomicReference<>();
        private volatile boolean parked;

        Helper(int index) {
            super("segspark-kernels-" + index);
            setDaemon(true);
        }

        void give(Part p) {
            part.set(p);
            // the helper sets parked before it checks for a part one last time, so one of the two
            // sees the other's write (both are volatile)
            if (parked) {
                LockSupport.unpark(this);
            }
        }

        @Override
        public void run() {
            while (true) {
                Part p = next();
                if (p.claim()) {
                    p.run();
                }
            }
        }

        /**
         * Takes the next part given to this helper. Taking clears the slot atomically: a part its
         * caller ran itself may be replaced by the caller's next part at any moment.
         */
        private Part next() {
            long deadline = System.nanoTime() + SPIN_NANOS;
            Part p;
            while ((p = take()) == null) {
                if (System.nanoTime() < deadline) {
                    Thread.onSpinWait();
                    continue;
                }
                parked = true;
                if ((p = take()) == null) {
                    LockSupport.park(this);
                }
                parked = false;
                if (p != null) {
                    return p;
                }
                deadline = System.nanoTime() + SPIN_NANOS;
            }
            return p;
        }

        private Part take() {
            return part.get() == null ? null : part.getAndSet(null);
        }
    }
}
