package org.segspark.jobs.train.fit;

import org.junit.jupiter.api.Test;
import org.nd4j.linalg.dataset.MultiDataSet;
import org.nd4j.nativeblas.NativeOpsHolder;
import org.segspark.models.layers.NativeSpeed;

import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

import static org.junit.jupiter.api.Assertions.assertEquals;

class OpThreadsHookTest {
    /** DL4J's worker fits in the task's thread, not in the prefetch thread where the loader set the count. */
    @Test
    void theFittingThreadGetsTheTasksCountBeforeEachMinibatch() throws Exception {
        int cores = Runtime.getRuntime().availableProcessors();
        ExecutorService taskThread = Executors.newSingleThreadExecutor();
        try {
            int seen = taskThread.submit(() -> {
                NativeSpeed.setThreads(1);
                NativeOpsHolder.getInstance().getDeviceNativeOps().setOmpNumThreads(cores + 1); // left by another task
                new OpThreadsHook(1).preUpdate(new MultiDataSet(), null);
                return NativeSpeed.threadsOfThisThread();
            }).get();
            assertEquals(1, seen);
        } finally {
            taskThread.shutdown();
            NativeSpeed.setThreads(cores);
        }
    }
}
