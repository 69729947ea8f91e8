package org.segspark.models.layers;

import org.deeplearning4j.nn.graph.ComputationGraph;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.MultiDataSet;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;
import org.nd4j.nativeblas.NativeOpsHolder;
import org.segspark.models.ModelConfig;
import org.segspark.models.registry.ModelRegistry;

import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * OpenMP keeps its thread count per thread and oneDNN's gradients depend on it: a Spark task on an
 * executor thread that another task left with a different count trained differently, and a
 * resumed run stopped ending where the uninterrupted one did.
 */
class NativeSpeedThreadsTest {
    private static final int CORES = Runtime.getRuntime().availableProcessors();

    @AfterAll
    static void restore() {
        NativeSpeed.setThreads(CORES);
    }

    @Test
    void everyThreadThatAsksGetsTheCountNotOnlyTheFirst() throws Exception {
        int n = CORES + 1; // not OpenMP's default, so a thread that was never set would show it
        NativeSpeed.setThreads(n);
        assertEquals(n, NativeSpeed.threadsOfThisThread());
        ExecutorService other = Executors.newSingleThreadExecutor();
        try {
            assertEquals(n, (int) other.submit(() -> {
                NativeSpeed.setThreads(n);
                return NativeSpeed.threadsOfThisThread();
            }).get(), "a second thread asking for the count the JVM already has");
        } finally {
            other.shutdown();
        }
    }

    @Test
    void aNetworkTrainsTheSameInAThreadLeftWithAnotherCount() throws Exception {
        NativeSpeed.setThreads(1);
        Nd4j.getRandom().setSeed(3);
        INDArray x = Nd4j.rand(4, 3, 32, 32);
        INDArray y = Nd4j.zeros(4, 4, 32, 32);
        y.get(NDArrayIndex.all(), NDArrayIndex.point(1)).assign(1);
        INDArray here = trained(x, y);
        ExecutorService other = Executors.newSingleThreadExecutor();
        try {
            INDArray there = other.submit(() -> {
                NativeOpsHolder.getInstance().getDeviceNativeOps().setOmpNumThreads(2); // what another task left
                NativeSpeed.setThreads(1);
                return trained(x, y);
            }).get();
            assertEquals(0.0, here.sub(there).amaxNumber().doubleValue(), 0.0, "parameters after three steps, bitwise");
        } finally {
            other.shutdown();
        }
    }

    private static INDArray trained(INDArray x, INDArray y) {
        ComputationGraph net = ModelRegistry.build("unet-mobilenetv2", new ModelConfig(4, 32, 32, 1.0, 7));
        for (int step = 0; step < 3; step++) {
            net.fit(new MultiDataSet(x, y));
        }
        return net.params().dup();
    }
}
