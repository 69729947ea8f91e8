package org.segspark.jobs.train.fit;

import org.deeplearning4j.nn.graph.ComputationGraph;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.MultiDataSet;
import org.nd4j.nativeblas.NativeOpsHolder;
import org.segspark.models.ModelConfig;
import org.segspark.models.graph.FusedGraphUpdater;
import org.segspark.models.layers.NativeSpeed;
import org.segspark.models.registry.ModelRegistry;

import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertSame;

class WorkerHookTest {
    /** DL4J's worker fits in the task's thread, not in the prefetch thread where the loader set the count. */
    @Test
    void theFittingThreadGetsTheTasksCountBeforeEachMinibatch() throws Exception {
        int cores = Runtime.getRuntime().availableProcessors();
        ExecutorService taskThread = Executors.newSingleThreadExecutor();
        try {
            int seen = taskThread.submit(() -> {
                NativeSpeed.setThreads(1);
                NativeOpsHolder.getInstance().getDeviceNativeOps().setOmpNumThreads(cores + 1); // left by another task
                new WorkerHook(1).preUpdate(new MultiDataSet(), null);
                return NativeSpeed.threadsOfThisThread();
            }).get();
            assertEquals(1, seen);
        } finally {
            taskThread.shutdown();
            NativeSpeed.setThreads(cores);
        }
    }

    /** The worker's network, made by DL4J from the driver's, trains with segspark's updater over the state it was given. */
    @Test
    void theWorkersNetworkGetsTheFusedUpdaterOverItsState() {
        ModelConfig cfg = ModelRegistry.get("mobilenet-v3-small").defaults().withInput(32, 32).withClasses(3);
        ComputationGraph net = ModelRegistry.build("mobilenet-v3-small", cfg);
        INDArray state = net.getUpdater().getStateViewArray();
        new WorkerHook(Runtime.getRuntime().availableProcessors()).preUpdate(new MultiDataSet(), net);
        assertInstanceOf(FusedGraphUpdater.class, net.getUpdater());
        assertSame(state, net.getUpdater().getStateViewArray());
    }
}
