package org.segspark.jobs.train.sharing;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.io.IOException;
import java.net.ServerSocket;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Tasks on loopback all-reducing several steps' updates: every task ends each step with the same
 * sum, bit for bit, equal to the exact sum up to float rounding, having sent 2 (N - 1) / N of an
 * update per step.
 */
class UpdateExchangeTest {

    @ParameterizedTest(name = "{0} tasks, {1} values")
    @CsvSource({"1, 1000", "2, 200003", "3, 200003", "4, 100001", "3, 2", "4, 3"})
    void everyTaskGetsTheSameSumOfAllUpdates(int n, int len) throws Exception {
        int steps = 3;
        List<ServerSocket> servers = listen(n);
        List<String> endpoints = endpoints(servers);
        ExecutorService pool = Executors.newFixedThreadPool(n);
        List<Future<float[][]>> results = new ArrayList<>();
        for (int r = 0; r < n; r++) {
            int rank = r;
            results.add(pool.submit(() -> {
                float[][] out = new float[steps][];
                try (UpdateExchange x = UpdateExchange.connect(rank, endpoints, servers.get(rank), 30_000, false)) {
                    for (int step = 0; step < steps; step++) {
                        float[] u = update(rank, step, len);
                        x.sum(u);
                        out[step] = u;
                    }
                    // per step: 2 (N - 1) chunk messages of 8 header bytes, carrying 2 (N - 1) / N of the update
                    long chunkValues = 0;
                    for (int s = 0; s < n - 1; s++) {
                        chunkValues += chunk(len, n, Math.floorMod(rank - s, n)) + chunk(len, n, Math.floorMod(rank + 1 - s, n));
                    }
                    assertEquals(steps * (2L * (n - 1) * 8 + 4 * chunkValues), x.bytesSent());
                }
                return out;
            }));
        }
        List<float[][]> all = new ArrayList<>();
        for (Future<float[][]> f : results) {
            all.add(f.get(60, TimeUnit.SECONDS));
        }
        pool.shutdown();
        for (int step = 0; step < steps; step++) {
            double[] exact = new double[len];
            for (int r = 0; r < n; r++) {
                float[] u = update(r, step, len);
                for (int i = 0; i < len; i++) {
                    exact[i] += u[i];
                }
            }
            for (int i = 0; i < len; i++) {
                assertEquals(exact[i], all.get(0)[step][i], 1e-9, "value " + i + " of step " + step);
            }
            for (int r = 1; r < n; r++) {
                assertArrayEquals(all.get(0)[step], all.get(r)[step], "task " + r + " against task 0, step " + step);
            }
        }
    }

    /**
     * In bfloat16 every step's sum is rounded, but what rounding took off comes back in the next
     * step: over many steps of the same updates the applied total stays within a step's rounding
     * of the exact one, where rounding alone would drift by up to a rounding per step.
     */
    @Test
    void bfloat16LosesNothingOverSteps() throws Exception {
        int n = 3, len = 10_007, steps = 64;
        List<ServerSocket> servers = listen(n);
        List<String> endpoints = endpoints(servers);
        ExecutorService pool = Executors.newFixedThreadPool(n);
        List<Future<double[]>> results = new ArrayList<>();
        for (int r = 0; r < n; r++) {
            int rank = r;
            results.add(pool.submit(() -> {
                double[] total = new double[len];
                try (UpdateExchange x = UpdateExchange.connect(rank, endpoints, servers.get(rank), 30_000, true)) {
                    for (int step = 0; step < steps; step++) {
                        float[] u = update(rank, 0, len);
                        x.sum(u);
                        for (int i = 0; i < len; i++) {
                            total[i] += u[i];
                        }
                    }
                    assertTrue(x.bytesSent() < steps * 2L * (n - 1) * (8 + 2L * (len / n + 1)), "2 bytes per value");
                }
                return total;
            }));
        }
        List<double[]> totals = new ArrayList<>();
        for (Future<double[]> f : results) {
            totals.add(f.get(60, TimeUnit.SECONDS));
        }
        pool.shutdown();
        double worstFed = 0, worstRounded = 0;
        for (int i = 0; i < len; i++) {
            double exact = 0;
            for (int r = 0; r < n; r++) {
                exact += update(r, 0, len)[i];
            }
            worstFed = Math.max(worstFed, Math.abs(totals.get(0)[i] - steps * exact));
            worstRounded = Math.max(worstRounded,
                    steps * Math.abs(exact - UpdateExchange.fromBfloat16(UpdateExchange.toBfloat16((float) exact))));
            for (int r = 1; r < n; r++) {
                assertEquals(totals.get(0)[i], totals.get(r)[i], "task " + r + " value " + i);
            }
        }
        // updates of about 1e-3: one rounding of a sum of three is at most about 1e-5
        assertTrue(worstFed < 5e-5, "the applied total drifted from the exact one by " + worstFed);
        assertTrue(worstRounded > 10 * worstFed, "rounding each step alone would drift by " + worstRounded);
    }

    @Test
    void bfloat16RoundsToNearest() {
        assertEquals(1.0f, UpdateExchange.fromBfloat16(UpdateExchange.toBfloat16(1.0f)));
        assertEquals(1.0078125f, UpdateExchange.fromBfloat16(UpdateExchange.toBfloat16(1.005f)));
        assertEquals(-1.0f, UpdateExchange.fromBfloat16(UpdateExchange.toBfloat16(-1.001f)));
        assertEquals(1e-3f, UpdateExchange.fromBfloat16(UpdateExchange.toBfloat16(1e-3f)), 1e-3f / 256);
    }

    /** {@code n} tasks' listening sockets on loopback. */
    static List<ServerSocket> listen(int n) throws IOException {
        List<ServerSocket> servers = new ArrayList<>();
        for (int r = 0; r < n; r++) {
            servers.add(UpdateExchange.listen("127.0.0.1"));
        }
        return servers;
    }

    static List<String> endpoints(List<ServerSocket> servers) {
        return servers.stream().map(s -> "127.0.0.1:" + s.getLocalPort()).toList();
    }

    private static int chunk(int len, int n, int c) {
        return (int) ((long) len * (c + 1) / n - (long) len * c / n);
    }

    private static float[] update(int rank, int step, int len) {
        float[] v = new float[len];
        Random rnd = new Random(rank * 31L + step);
        for (int i = 0; i < len; i++) {
            v[i] = (float) (rnd.nextGaussian() * 1e-3);
        }
        return v;
    }
}
