package org.segspark.jobs.train.sharing;

import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;

import java.net.ServerSocket;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Two tasks hand DL4J-style updates to their accumulators: a flat array reshaped to one dimension
 * (as DL4J hands its gradient over: copied in bulk through its buffer) and a strided view (copied
 * value by value) both come back as the workers' sum, or their mean, in place.
 */
class SharedUpdatesTest {

    @Test
    void contiguousFloatsAreCopiedInBulk() {
        INDArray full = Nd4j.linspace(1, 12, 12).reshape(3, 4).castTo(DataType.FLOAT);
        assertTrue(SharedUpdates.bulk(full.reshape(full.length())), "DL4J's reshaped gradient");
        assertFalse(SharedUpdates.bulk(full.get(NDArrayIndex.interval(1, 3), NDArrayIndex.all())), "rows 1-2: an offset");
        assertFalse(SharedUpdates.bulk(full.get(NDArrayIndex.all(), NDArrayIndex.interval(1, 3))), "columns: strided");
        assertFalse(SharedUpdates.bulk(full.castTo(DataType.DOUBLE)), "doubles");
    }

    @Test
    void flatArraysAndViewsComeBackSummed() throws Exception {
        INDArray[] sums = exchange(false, false);
        assertEquals(0, sums[0].sub(Nd4j.linspace(1, 12, 12).mul(3)).amaxNumber().doubleValue(), 1e-6);
        assertEquals(sums[0], sums[1]);
    }

    @Test
    void viewsComeBackAsTheMean() throws Exception {
        INDArray[] means = exchange(true, true);
        INDArray expected = Nd4j.linspace(1, 12, 12).reshape(3, 4).get(NDArrayIndex.all(), NDArrayIndex.interval(1, 3)).mul(1.5);
        assertEquals(0, means[0].sub(expected).amaxNumber().doubleValue(), 1e-6);
        assertEquals(means[0], means[1]);
    }

    /** Task r holds (r + 1) x 1..12 as a 3 x 4 array, or a 3 x 2 view into it. */
    private static INDArray[] exchange(boolean views, boolean mean) throws Exception {
        List<ServerSocket> servers = UpdateExchangeTest.listen(2);
        List<String> endpoints = UpdateExchangeTest.endpoints(servers);
        ExecutorService pool = Executors.newFixedThreadPool(2);
        List<Future<INDArray>> out = new ArrayList<>();
        for (int r = 0; r < 2; r++) {
            int rank = r;
            out.add(pool.submit(() -> {
                INDArray full = Nd4j.linspace(1, 12, 12).reshape(3, 4).mul(rank + 1).castTo(DataType.FLOAT);
                INDArray update = views ? full.get(NDArrayIndex.all(), NDArrayIndex.interval(1, 3)) : full.reshape(full.length());
                try (UpdateExchange x = UpdateExchange.connect(rank, endpoints, servers.get(rank), 30_000, false)) {
                    SharedUpdates shared = new SharedUpdates(x, mean);
                    shared.storeUpdate(update, 0, 0);
                    assertEquals(1, shared.steps());
                }
                return update.dup();
            }));
        }
        INDArray[] r = {out.get(0).get(60, TimeUnit.SECONDS), out.get(1).get(60, TimeUnit.SECONDS)};
        pool.shutdown();
        return r;
    }
}
