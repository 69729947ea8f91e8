package org.segspark.jobs.train.sharing;

import org.junit.jupiter.api.Test;

import java.net.ServerSocket;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Three tasks on loopback: every one ends each step with the same sum, bit for bit, added in task order. */
class UpdateExchangeTest {

    @Test
    void everyTaskGetsTheSameSumOfAllUpdates() throws Exception {
        int n = 3, len = 200_003, steps = 4;
        List<ServerSocket> servers = new ArrayList<>();
        List<String> endpoints = new ArrayList<>();
        for (int r = 0; r < n; r++) {
            ServerSocket s = UpdateExchange.listen("127.0.0.1");
            servers.add(s);
            endpoints.add("127.0.0.1:" + s.getLocalPort());
        }
        ExecutorService pool = Executors.newFixedThreadPool(n);
        List<Future<float[][]>> results = new ArrayList<>();
        for (int r = 0; r < n; r++) {
            int rank = r;
            results.add(pool.submit(() -> {
                float[][] out = new float[steps][];
                try (UpdateExchange x = UpdateExchange.connect(rank, endpoints, servers.get(rank), 30_000)) {
                    for (int step = 0; step < steps; step++) {
                        float[] u = update(rank, step, len);
                        x.sum(u);
                        out[step] = u;
                    }
                    assertEquals((long) steps * (n - 1) * (4L + 4L * len), x.bytesSent());
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
            float[] expected = update(0, step, len);
            for (int r = 1; r < n; r++) {
                float[] u = update(r, step, len);
                for (int i = 0; i < len; i++) {
                    expected[i] += u[i];
                }
            }
            for (int r = 0; r < n; r++) {
                assertArrayEquals(expected, all.get(r)[step], "task " + r + " step " + step);
            }
        }
        assertTrue(all.get(0)[0][7] != 0);
    }

    private static float[] update(int rank, int step, int len) {
        float[] v = new float[len];
        java.util.Random rnd = new java.util.Random(rank * 31L + step);
        for (int i = 0; i < len; i++) {
            v[i] = (float) (rnd.nextGaussian() * 1e-3);
        }
        return v;
    }
}
