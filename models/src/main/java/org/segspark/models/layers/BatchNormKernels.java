package org.segspark.models.layers;

import java.nio.FloatBuffer;

/**
 * Batch normalisation with a fused activation over NCHW float buffers, split by channel over a
 * few threads. Each channel is N contiguous runs of H*W floats; every run is copied into a small
 * per-thread array (a memcpy), computed there and copied back, because HotSpot vectorises loops
 * over float[] but not over direct buffers (measured 4-7x apart). Training statistics take one
 * pass (shifted sums), the output one pass, the backward pass two sweeps over a channel, the
 * second from scratch when the channel fits ({@link #KEEP}). The sums run on the Vector API
 * ({@link SimdSums}) when the JVM has its module, else in scalar double lanes. Measured on an 8x144x64x64
 * tensor this is several times faster than DL4J 1.0.0-M2.1's batch norm (reductions over
 * non-contiguous axes, libnd4j's batchnorm_bp) followed by a separate activation layer.
 */
final class BatchNormKernels {
    /**
     * Planes of fewer elements go to {@link SmallPlaneKernels}: below it the per-run loops here
     * spend more on starting each run than on its elements (n = 32: 22 ns per element on 1x1
     * planes, 7.6 on 2x2, 2.2 on 4x4, against 1.2-1.3 from 16x16 up).
     */
    static final int SMALL_PLANE = 256;
    /**
     * A channel of at most this many floats (all samples) stays in scratch between the backward
     * pass's two sweeps, x and the gated gradient together 256 KB, so the second sweep neither
     * copies x and dy again nor gates dy twice. One thread, batch 4: 0.83 against 1.23 ns per
     * element on 16x16 planes, 0.79 against 1.14 on 32x32, 0.73-1.02 against 1.00-1.28 on 64x64.
     * (Keeping the 8x8 and smaller planes' blocks the same way was 3x slower: the loops over
     * arrays at different offsets were left scalar.)
     */
    static final int KEEP = 1 << 15;
    private static final Scratch SCRATCH = new Scratch(3);

    /**
     * Sums on the Vector API: on when this JVM resolved the incubating module (conf/jvm.options
     * adds it). Not final so that one JVM can compare both paths (tests, benchmarks).
     */
    static boolean simd = ModuleLayer.boot().findModule("jdk.incubator.vector").isPresent();

    private BatchNormKernels() {
    }

    /** The activation fused after the normalisation: y = act(z), z = a * x + b. */
    enum Act {
        IDENTITY, RELU, RELU6, HARDSWISH
    }

    /** Runs {@code body} over channel ranges on up to {@link KernelThreads#get()} threads when the work is worth it. */
    static void forChannels(int channels, long elements, KernelThreads.Range body) {
        KernelThreads.split(channels, elements, body);
    }


    /**
     * Sum of v[0..len) in four interleaved double lanes: independent adds pipeline (one running sum
     * does not), and double matters here: batch-norm backprop subtracts these sums from each other,
     * and float sums over thousands of values doubled the gradient error of a 55-layer network.
     */
    static double sum(float[] v, int len) {
        return sum(v, 0, len);
    }

    /** Sum of v[from..from + len), as {@link #sum(float[], int)}. */
    static double sum(float[] v, int from, int len) {
        double s0 = 0, s1 = 0, s2 = 0, s3 = 0;
        int p = from, stop = from + len;
        for (; p + 3 < stop; p += 4) {
            s0 += v[p];
            s1 += v[p + 1];
            s2 += v[p + 2];
            s3 += v[p + 3];
        }
        for (; p < stop; p++) {
            s0 += v[p];
        }
        return (s0 + s1) + (s2 + s3);
    }

    /** Adds sum(v - shift) to out[0] and sum((v - shift)^2) to out[1], over v[0..len). */
    static void shiftedSums(float[] v, int len, float shift, double[] out) {
        if (simd) {
            SimdSums.shifted(v, len, shift, out);
            return;
        }
        double s0 = 0, s1 = 0, q0 = 0, q1 = 0;
        int p = 0;
        for (; p + 1 < len; p += 2) {
            float v0 = v[p] - shift, v1 = v[p + 1] - shift;
            s0 += v0;
            s1 += v1;
            q0 += v0 * v0;
            q1 += v1 * v1;
        }
        for (; p < len; p++) {
            float d = v[p] - shift;
            s0 += d;
            q0 += d * d;
        }
        out[0] += s0 + s1;
        out[1] += q0 + q1;
    }

    /** Adds sum(g) to out[0] and sum(g * (x - mu)) to out[1], over [from..from + len); {@code work} is scratch as long as g. */
    static void gradientSums(float[] g, float[] x, int from, int len, float mu, float[] work, double[] out) {
        if (simd) {
            SimdSums.gradient(g, x, from, len, mu, out, 0);
            return;
        }
        for (int p = from; p < from + len; p++) {
            work[p] = g[p] * (x[p] - mu);
        }
        out[0] += sum(g, from, len);
        out[1] += sum(work, from, len);
    }

    /** Biased mean and variance per channel of x [n, c, hw]. */
    static void moments(FloatBuffer x, int n, int c, int hw, float[] mean, float[] var) {
        if (hw < SMALL_PLANE) {
            SmallPlaneKernels.moments(x, n, c, hw, mean, var);
            return;
        }
        forChannels(c, (long) n * c * hw, (from, to) -> {
            float[] buf = SCRATCH.atLeast(hw)[0];
            double[] sums = new double[2];
            for (int ch = from; ch < to; ch++) {
                float shift = x.get(ch * hw);
                sums[0] = 0;
                sums[1] = 0;
                for (int b = 0; b < n; b++) {
                    x.get((b * c + ch) * hw, buf, 0, hw);
                    shiftedSums(buf, hw, shift, sums);
                }
                double s = sums[0], q = sums[1];
                double m = (double) n * hw;
                double ms = s / m;
                mean[ch] = (float) (shift + ms);
                var[ch] = (float) Math.max(q / m - ms * ms, 0);
            }
        });
    }

    /** y = act(a[c] * x + b[c]). */
    static void normalize(FloatBuffer x, FloatBuffer y, int n, int c, int hw, float[] a, float[] b, Act act) {
        if (hw < SMALL_PLANE) {
            SmallPlaneKernels.normalize(x, y, n, c, hw, a, b, act);
            return;
        }
        forChannels(c, (long) n * c * hw, (from, to) -> {
            float[] buf = SCRATCH.atLeast(hw)[0];
            for (int bt = 0; bt < n; bt++) {
                for (int ch = from; ch < to; ch++) {
                    int base = (bt * c + ch) * hw;
                    x.get(base, buf, 0, hw);
                    affine(buf, hw, a[ch], b[ch], act);
                    y.put(base, buf, 0, hw);
                }
            }
        });
    }

    private static void affine(float[] v, int len, float a, float b, Act act) {
        switch (act) {
            case IDENTITY -> {
                for (int p = 0; p < len; p++) {
                    v[p] = v[p] * a + b;
                }
            }
            case RELU -> {
                for (int p = 0; p < len; p++) {
                    v[p] = Math.max(v[p] * a + b, 0f);
                }
            }
            case RELU6 -> {
                for (int p = 0; p < len; p++) {
                    v[p] = Math.min(Math.max(v[p] * a + b, 0f), 6f);
                }
            }
            case HARDSWISH -> {
                for (int p = 0; p < len; p++) {
                    float z = v[p] * a + b;
                    v[p] = z * Math.min(Math.max(z + 3f, 0f), 6f) * (1f / 6f);
                }
            }
        }
    }

    /** Scales a value to a 0/1 step: anything at least 1e-30 saturates to 1, anything <= 0 is 0. */
    static final float STEP = 1e30f;

    /**
     * g = dy * act'(z), z = a * x + b, in place in {@code g}. The derivative is computed as a clamped
     * value, min(max(z * 1e30, 0), 1) for ReLU and min(max((3 - |z - 3|) * 1e30, 0), 1) for ReLU6,
     * so the loop has no comparisons and HotSpot vectorises it (measured 8x faster than two clamps,
     * and branches on the sign of z mispredict on real data). ReLU passes z > 0 and ReLU6
     * 0 < z < 6 strictly, as PyTorch's backward does; the results differ from the exact step only
     * for z within float rounding of an edge (0 < z < 1e-30 for ReLU; |z| or |z - 6| below ~5e-7
     * for ReLU6). HardSwish's middle piece takes [-3, 3] closed, as PyTorch's does: the + 1 keeps
     * z = +-3 inside, where its derivative jumps (by 0.5 at -3), and a float z hits it exactly
     * about once in a million elements.
     */
    private static void gate(float[] xs, float[] g, int from, int len, float a, float b, Act act) {
        int end = from + len;
        switch (act) {
            case IDENTITY -> {
            }
            case RELU -> {
                for (int p = from; p < end; p++) {
                    float z = xs[p] * a + b;
                    g[p] *= Math.min(Math.max(z * STEP, 0f), 1f);
                }
            }
            case RELU6 -> {
                for (int p = from; p < end; p++) {
                    float z = xs[p] * a + b;
                    g[p] *= Math.min(Math.max((3f - Math.abs(z - 3f)) * STEP, 0f), 1f);
                }
            }
            case HARDSWISH -> {
                // PyTorch: 0 below -3, z/3 + 1/2 on [-3, 3], 1 above
                for (int p = from; p < end; p++) {
                    float z = xs[p] * a + b;
                    float inside = Math.min(Math.max((3f - Math.abs(z)) * STEP + 1f, 0f), 1f);
                    float above = Math.min(Math.max((z - 3f) * STEP, 0f), 1f);
                    g[p] *= (z * (1f / 3f) + 0.5f) * inside + above;
                }
            }
        }
    }

    /**
     * Backward pass of training-mode batch norm followed by {@code act}: from the upstream gradient
     * dy (w.r.t. the activation's output) computes dx, dgamma and dbeta. With g = dy * act'(z) and
     * xhat = (x - mean) * invStd: dbeta = sum g, dgamma = sum g * xhat,
     * dx = gamma * invStd * (g - dbeta / M - xhat * dgamma / M), M = n * hw. Sums are double.
     */
    static void backward(FloatBuffer x, FloatBuffer dy, FloatBuffer dx, int n, int c, int hw, float[] mean,
                         float[] invStd, float[] gamma, float[] beta, Act act, float[] dGamma, float[] dBeta) {
        if (hw < SMALL_PLANE) {
            SmallPlaneKernels.backward(x, dy, dx, n, c, hw, mean, invStd, gamma, beta, act, dGamma, dBeta);
            return;
        }
        boolean keep = (long) n * hw <= KEEP;
        forChannels(c, (long) n * c * hw, (from, to) -> {
            float[][] s = SCRATCH.atLeast(keep ? n * hw : hw);
            float[] xs = s[0], g = s[1], gx = s[2];
            double[] sums = new double[2];
            for (int ch = from; ch < to; ch++) {
                float mu = mean[ch], is = invStd[ch];
                float a = gamma[ch] * is, b = beta[ch] - mu * a;
                sums[0] = 0;
                sums[1] = 0;
                for (int bt = 0; bt < n; bt++) {
                    int base = (bt * c + ch) * hw, at = keep ? bt * hw : 0;
                    x.get(base, xs, at, hw);
                    dy.get(base, g, at, hw);
                    gate(xs, g, at, hw, a, b, act);
                    gradientSums(g, xs, at, hw, mu, gx, sums);
                }
                double sg = sums[0], sgx = sums[1];
                double m = (double) n * hw;
                double dgm = sgx * is;
                dBeta[ch] = (float) sg;
                dGamma[ch] = (float) dgm;
                float c1 = (float) (a * sg / m);
                float c2 = (float) (a * is * dgm / m);
                for (int bt = 0; bt < n; bt++) {
                    int base = (bt * c + ch) * hw, at = keep ? bt * hw : 0;
                    if (!keep) {
                        // gating dy again is cheaper than writing the gated copy to dx and reading it back
                        x.get(base, xs, 0, hw);
                        dy.get(base, g, 0, hw);
                        gate(xs, g, 0, hw, a, b, act);
                    }
                    for (int p = at, end = at + hw; p < end; p++) {
                        g[p] = a * g[p] - c1 - (xs[p] - mu) * c2;
                    }
                    dx.put(base, g, at, hw);
                }
            }
        });
    }

    /** Backward pass of inference-mode batch norm (fixed statistics) followed by {@code act}: dx = g * a. */
    static void backwardFixed(FloatBuffer x, FloatBuffer dy, FloatBuffer dx, int n, int c, int hw, float[] a, float[] b,
                              float[] mean, float[] invStd, Act act, float[] dGamma, float[] dBeta) {
        if (hw < SMALL_PLANE) {
            SmallPlaneKernels.backwardFixed(x, dy, dx, n, c, hw, a, b, mean, invStd, act, dGamma, dBeta);
            return;
        }
        forChannels(c, (long) n * c * hw, (from, to) -> {
            float[][] s = SCRATCH.atLeast(hw);
            float[] xs = s[0], g = s[1], gx = s[2];
            double[] sums = new double[2];
            for (int ch = from; ch < to; ch++) {
                float ac = a[ch], bc = b[ch], mu = mean[ch], is = invStd[ch];
                sums[0] = 0;
                sums[1] = 0;
                for (int bt = 0; bt < n; bt++) {
                    int base = (bt * c + ch) * hw;
                    x.get(base, xs, 0, hw);
                    dy.get(base, g, 0, hw);
                    gate(xs, g, 0, hw, ac, bc, act);
                    gradientSums(g, xs, 0, hw, mu, gx, sums);
                    for (int p = 0; p < hw; p++) {
                        g[p] *= ac;
                    }
                    dx.put(base, g, 0, hw);
                }
                dBeta[ch] = (float) sums[0];
                dGamma[ch] = (float) (sums[1] * is);
            }
        });
    }
}
