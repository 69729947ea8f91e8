package org.segspark.models.layers;

import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicIntegerArray;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Split calls: every item exactly once, on the helpers when they are free, errors back to the caller. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
@ExtendWith(TwoKernelThreads.class)
class KernelThreadsTest {
    private static final long WORTH_SPLITTING = 1L << 30;

    @Test
    void everyItemRunsOnceAndTheWorkIsShared() {
        Set<String> threads = ConcurrentHashMap.newKeySet();
        for (int call = 0; call < 2000; call++) {
            int items = 1 + call % 37;
            AtomicIntegerArray seen = new AtomicIntegerArray(items);
            KernelThreads.split(items, WORTH_SPLITTING, (from, to) -> {
                threads.add(Thread.currentThread().getName());
                for (int i = from; i < to; i++) {
                    seen.incrementAndGet(i);
                }
            });
            for (int i = 0; i < items; i++) {
                assertEquals(1, seen.get(i), "item " + i + " of " + items);
            }
        }
        if (Runtime.getRuntime().availableProcessors() > 1) {
            assertTrue(threads.stream().anyMatch(n -> n.startsWith("segspark-kernels-")), "helpers used: " + threads);
        }
    }

    @Test
    void smallWorkStaysOnTheCallingThread() {
        Set<Thread> threads = ConcurrentHashMap.newKeySet();
        KernelThreads.split(64, 100, (from, to) -> threads.add(Thread.currentThread()));
        assertEquals(Set.of(Thread.currentThread()), threads);
    }

    /**
     * A parked helper takes microseconds to wake; a caller whose own part is empty gets to the
     * helper's part first and runs it itself, once, and the helper then skips it.
     */
    @Test
    void theCallerRunsAPartItsHelperHasNotStarted() throws InterruptedException {
        Assumptions.assumeTrue(Runtime.getRuntime().availableProcessors() > 1);
        Thread caller = Thread.currentThread();
        int byCaller = 0;
        for (int call = 0; call < 50; call++) {
            Thread.sleep(2);       // past the helpers' spin window: they park
            AtomicIntegerArray seen = new AtomicIntegerArray(2);
            Set<Thread> second = ConcurrentHashMap.newKeySet();
            KernelThreads.split(2, WORTH_SPLITTING, (from, to) -> {
                for (int i = from; i < to; i++) {
                    seen.incrementAndGet(i);
                }
                if (from == 1) {
                    second.add(Thread.currentThread());
                }
            });
            assertEquals(1, seen.get(0));
            assertEquals(1, seen.get(1));
            byCaller += second.contains(caller) ? 1 : 0;
        }
        assertTrue(byCaller > 0, "the caller never ran its helper's part");
        // the helpers took no stale part: they still take work
        Set<String> threads = ConcurrentHashMap.newKeySet();
        for (int call = 0; call < 200; call++) {
            KernelThreads.split(2, WORTH_SPLITTING, (from, to) -> {
                threads.add(Thread.currentThread().getName());
                long until = System.nanoTime() + 20_000;
                while (System.nanoTime() < until) {
                    Thread.onSpinWait();
                }
            });
        }
        assertTrue(threads.stream().anyMatch(n -> n.startsWith("segspark-kernels-")), "helpers used: " + threads);
    }

    @Test
    void aHelpersErrorReachesTheCaller() {
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> KernelThreads.split(8, WORTH_SPLITTING, (from, to) -> {
            if (from > 0 || Runtime.getRuntime().availableProcessors() == 1) {
                throw new IllegalStateException("part from " + from);
            }
        }));
        assertTrue(e.getMessage().startsWith("part from"));
        // and the helpers still take work afterwards
        AtomicIntegerArray seen = new AtomicIntegerArray(8);
        KernelThreads.split(8, WORTH_SPLITTING, (from, to) -> {
            for (int i = from; i < to; i++) {
                seen.incrementAndGet(i);
            }
        });
        for (int i = 0; i < 8; i++) {
            assertEquals(1, seen.get(i));
        }
    }

    @Test
    void nestedAndConcurrentCallsComplete() throws Exception {
        ExecutorService callers = Executors.newFixedThreadPool(3);
        try {
            CountDownLatch start = new CountDownLatch(1);
            Future<?>[] done = new Future<?>[3];
            for (int c = 0; c < done.length; c++) {
                done[c] = callers.submit(() -> {
                    start.await();
                    for (int call = 0; call < 500; call++) {
                        AtomicIntegerArray seen = new AtomicIntegerArray(16 * 16);
                        KernelThreads.split(16, WORTH_SPLITTING, (from, to) -> {
                            for (int i = from; i < to; i++) {
                                int row = i;
                                // a body that splits again runs its inner call on its own thread
                                KernelThreads.split(16, WORTH_SPLITTING, (f, t) -> {
                                    for (int j = f; j < t; j++) {
                                        seen.incrementAndGet(row * 16 + j);
                                    }
                                });
                            }
                        });
                        for (int i = 0; i < 16 * 16; i++) {
                            assertEquals(1, seen.get(i));
                        }
                    }
                    return null;
                });
            }
            start.countDown();
            for (Future<?> f : done) {
                f.get(50, TimeUnit.SECONDS);
            }
        } finally {
            callers.shutdownNow();
        }
    }
}
