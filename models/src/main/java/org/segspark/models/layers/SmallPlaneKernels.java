package org.segspark.models.layers;

import java.nio.FloatBuffer;
import java.util.Arrays;

import org.segspark.models.layers.BatchNormKernels.Act;

/**
 * {@link BatchNormKernels}' computations for small planes (the 1x1 to 8x8 maps of classifiers and
 * of encoders' last stages). Instead of one run of H*W floats per (sample, channel), each step
 * copies a block of consecutive channels of one sample (up to {@link #BLOCK} floats, one memcpy)
 * and works on it with the per-channel coefficients spread over the block's elements, so every
 * loop is one vectorisable pass over the block whatever the plane size: n = 32 and 512 channels
 * took 2.5 ns per element of the backward pass on 1x1 planes against 22 per run, 2.1 against 7.6
 * on 2x2. Planes of {@link #PLANE_SUMS} elements and more are summed one plane at a time, in float
 * vector lanes as the large planes are; smaller ones go into double per element: float partial sums
 * across a few samples were as fast but doubled DeepLabV3+'s gradient error (batch-norm backprop
 * subtracts these sums from each other).
 */
final class SmallPlaneKernels {
    /** Floats per block: 16 KB, so a block and its coefficient arrays stay in L1/L2. */
    static final int BLOCK = 4096;
    private static final int FLOATS = 7;
    private static final Scratch SCRATCH = new Scratch(FLOATS);
    private static final ThreadLocal<double[][]> SUMS = ThreadLocal.withInitial(() -> new double[2][BLOCK]);

    /**
     * Planes of at least this many elements are summed one plane at a time, in float vector lanes
     * (at most 255 elements, as BatchNormKernels' runs sum up to 256 before going to double),
     * rather than per element in double, whose conversions and loads cost more than the plane's
     * own loop. One thread, 4x384x8x8 (MobileNetV2 at 128x128): the statistics 80 -> 29 us, the
     * backward pass 174 -> 144 us. On 4x4 planes (16 elements) both ways take the same time.
     */
    static final int PLANE_SUMS = 16;

    private SmallPlaneKernels() {
    }

    private static boolean planeSums(int hw) {
        return BatchNormKernels.simd && hw >= PLANE_SUMS;
    }

    private static int blockChannels(int hw) {
        return Math.max(1, BLOCK / hw);
    }

    private static double[][] sums(int len) {
        double[][] s = SUMS.get();
        if (s[0].length < len) {
            s = new double[2][len];
            SUMS.set(s);
        }
        return s;
    }

    /** Writes v[ch] for every element of channels c0..c1 of a block: out[(ch - c0) * hw + p] = v[ch]. */
    private static void spread(float[] v, int c0, int c1, int hw, float[] out) {
        for (int ch = c0; ch < c1; ch++) {
            int o = (ch - c0) * hw;
            float value = v[ch];
            for (int p = 0; p < hw; p++) {
                out[o + p] = value;
            }
        }
    }

    private static double planeSum(double[] s, int o, int hw) {
        double t = 0;
        for (int p = 0; p < hw; p++) {
            t += s[o + p];
        }
        return t;
    }

    /** Per element: ds[i] += v[i] - shift[i] and dq[i] += (v[i] - shift[i])^2, in double. */
    private static void shiftedPerElement(float[] v, float[] shift, int len, double[] ds, double[] dq) {
        if (BatchNormKernels.simd) {
            SimdSums.shiftedPerElement(v, shift, len, ds, dq);
            return;
        }
        for (int i = 0; i < len; i++) {
            float d = v[i] - shift[i];
            ds[i] += d;
            dq[i] += d * d;
        }
    }

    /** Per element: dsg[i] += g[i] and dsgx[i] += g[i] * (x[i] - mu[i]), in double. */
    private static void gradientPerElement(float[] g, float[] x, float[] mu, int len, double[] dsg, double[] dsgx) {
        if (BatchNormKernels.simd) {
            SimdSums.gradientPerElement(g, x, mu, len, dsg, dsgx);
            return;
        }
        for (int i = 0; i < len; i++) {
            dsg[i] += g[i];
            dsgx[i] += g[i] * (x[i] - mu[i]);
        }
    }

    static void moments(FloatBuffer x, int n, int c, int hw, float[] mean, float[] var) {
        BatchNormKernels.forChannels(c, (long) n * c * hw, (from, to) -> {
            int bc = blockChannels(hw);
            float[][] f = SCRATCH.atLeast(bc * hw);
            float[] buf = f[0], shift = f[1];
            double[][] d = sums(bc * hw);
            double[] ds = d[0], dq = d[1];
            float[] firsts = new float[c];
            for (int c0 = from; c0 < to; c0 += bc) {
                int c1 = Math.min(to, c0 + bc), len = (c1 - c0) * hw;
                for (int ch = c0; ch < c1; ch++) {
                    firsts[ch] = x.get(ch * hw); // shifted sums: var = E[(x-k)^2] - E[x-k]^2 loses little
                }
                double m = (double) n * hw;
                if (planeSums(hw)) {
                    Arrays.fill(ds, 0, 2 * (c1 - c0), 0);
                    for (int b = 0; b < n; b++) {
                        x.get((b * c + c0) * hw, buf, 0, len);
                        for (int ch = c0; ch < c1; ch++) {
                            SimdSums.shifted(buf, (ch - c0) * hw, hw, firsts[ch], ds, 2 * (ch - c0));
                        }
                    }
                    for (int ch = c0; ch < c1; ch++) {
                        double ms = ds[2 * (ch - c0)] / m;
                        mean[ch] = (float) (firsts[ch] + ms);
                        var[ch] = (float) Math.max(ds[2 * (ch - c0) + 1] / m - ms * ms, 0);
                    }
                    continue;
                }
                spread(firsts, c0, c1, hw, shift);
                Arrays.fill(ds, 0, len, 0);
                Arrays.fill(dq, 0, len, 0);
                for (int b = 0; b < n; b++) {
                    x.get((b * c + c0) * hw, buf, 0, len);
                    shiftedPerElement(buf, shift, len, ds, dq);
                }
                for (int ch = c0; ch < c1; ch++) {
                    int o = (ch - c0) * hw;
                    double ms = planeSum(ds, o, hw) / m;
                    mean[ch] = (float) (firsts[ch] + ms);
                    var[ch] = (float) Math.max(planeSum(dq, o, hw) / m - ms * ms, 0);
                }
            }
        });
    }

    static void normalize(FloatBuffer x, FloatBuffer y, int n, int c, int hw, float[] a, float[] b, Act act) {
        BatchNormKernels.forChannels(c, (long) n * c * hw, (from, to) -> {
            int bc = blockChannels(hw);
            float[][] f = SCRATCH.atLeast(bc * hw);
            float[] buf = f[0], as = f[1], bs = f[2];
            for (int c0 = from; c0 < to; c0 += bc) {
                int c1 = Math.min(to, c0 + bc), len = (c1 - c0) * hw;
                spread(a, c0, c1, hw, as);
                spread(b, c0, c1, hw, bs);
                for (int bt = 0; bt < n; bt++) {
                    int base = (bt * c + c0) * hw;
                    x.get(base, buf, 0, len);
                    affine(buf, as, bs, len, act);
                    y.put(base, buf, 0, len);
                }
            }
        });
    }

    private static void affine(float[] v, float[] a, float[] b, int len, Act act) {
        switch (act) {
            case IDENTITY -> {
                for (int i = 0; i < len; i++) {
                    v[i] = v[i] * a[i] + b[i];
                }
            }
            case RELU -> {
                for (int i = 0; i < len; i++) {
                    v[i] = Math.max(v[i] * a[i] + b[i], 0f);
                }
            }
            case RELU6 -> {
                for (int i = 0; i < len; i++) {
                    v[i] = Math.min(Math.max(v[i] * a[i] + b[i], 0f), 6f);
                }
            }
            case HARDSWISH -> {
                for (int i = 0; i < len; i++) {
                    float z = v[i] * a[i] + b[i];
                    v[i] = z * Math.min(Math.max(z + 3f, 0f), 6f) * (1f / 6f);
                }
            }
        }
    }

    /** g *= act'(a * x + b), branch-free as BatchNormKernels' gate (see there). */
    private static void gate(float[] xs, float[] g, float[] a, float[] b, int len, Act act) {
        final float step = BatchNormKernels.STEP;
        switch (act) {
            case IDENTITY -> {
            }
            case RELU -> {
                for (int i = 0; i < len; i++) {
                    float z = xs[i] * a[i] + b[i];
                    g[i] *= Math.min(Math.max(z * step, 0f), 1f);
                }
            }
            case RELU6 -> {
                for (int i = 0; i < len; i++) {
                    float z = xs[i] * a[i] + b[i];
                    g[i] *= Math.min(Math.max((3f - Math.abs(z - 3f)) * step, 0f), 1f);
                }
            }
            case HARDSWISH -> {
                for (int i = 0; i < len; i++) {
                    float z = xs[i] * a[i] + b[i];
                    float inside = Math.min(Math.max((3f - Math.abs(z)) * step + 1f, 0f), 1f);
                    float above = Math.min(Math.max((z - 3f) * step, 0f), 1f);
                    g[i] *= (z * (1f / 3f) + 0.5f) * inside + above;
                }
            }
        }
    }

    static void backward(FloatBuffer x, FloatBuffer dy, FloatBuffer dx, int n, int c, int hw, float[] mean,
                         float[] invStd, float[] gamma, float[] beta, Act act, float[] dGamma, float[] dBeta) {
        BatchNormKernels.forChannels(c, (long) n * c * hw, (from, to) -> {
            int bc = blockChannels(hw);
            float[][] f = SCRATCH.atLeast(bc * hw);
            float[] xs = f[0], g = f[1], as = f[2], bs = f[3], mus = f[4], c1s = f[5], c2s = f[6];
            double[][] d = sums(bc * hw);
            double[] dsg = d[0], dsgx = d[1];
            float[] a = new float[c], b = new float[c], c1v = new float[c], c2v = new float[c];
            for (int c0 = from; c0 < to; c0 += bc) {
                int c1 = Math.min(to, c0 + bc), len = (c1 - c0) * hw;
                for (int ch = c0; ch < c1; ch++) {
                    a[ch] = gamma[ch] * invStd[ch];
                    b[ch] = beta[ch] - mean[ch] * a[ch];
                }
                spread(a, c0, c1, hw, as);
                spread(b, c0, c1, hw, bs);
                spread(mean, c0, c1, hw, mus);
                boolean perPlane = planeSums(hw);
                Arrays.fill(dsg, 0, perPlane ? 2 * (c1 - c0) : len, 0);
                if (!perPlane) {
                    Arrays.fill(dsgx, 0, len, 0);
                }
                for (int bt = 0; bt < n; bt++) {
                    int base = (bt * c + c0) * hw;
                    x.get(base, xs, 0, len);
                    dy.get(base, g, 0, len);
                    gate(xs, g, as, bs, len, act);
                    dx.put(base, g, 0, len); // the gated gradient waits in dx for the second pass
                    if (perPlane) {
                        for (int ch = c0; ch < c1; ch++) {
                            SimdSums.gradient(g, xs, (ch - c0) * hw, hw, mean[ch], dsg, 2 * (ch - c0));
                        }
                    } else {
                        gradientPerElement(g, xs, mus, len, dsg, dsgx);
                    }
                }
                double m = (double) n * hw;
                for (int ch = c0; ch < c1; ch++) {
                    int o = (ch - c0) * hw;
                    double sumG = perPlane ? dsg[2 * (ch - c0)] : planeSum(dsg, o, hw);
                    double dgm = (perPlane ? dsg[2 * (ch - c0) + 1] : planeSum(dsgx, o, hw)) * invStd[ch];
                    dBeta[ch] = (float) sumG;
                    dGamma[ch] = (float) dgm;
                    c1v[ch] = (float) (a[ch] * sumG / m);
                    c2v[ch] = (float) (a[ch] * invStd[ch] * dgm / m);
                }
                spread(c1v, c0, c1, hw, c1s);
                spread(c2v, c0, c1, hw, c2s);
                for (int bt = 0; bt < n; bt++) {
                    int base = (bt * c + c0) * hw;
                    x.get(base, xs, 0, len);
                    dx.get(base, g, 0, len);
                    for (int i = 0; i < len; i++) {
                        g[i] = as[i] * g[i] - c1s[i] - (xs[i] - mus[i]) * c2s[i];
                    }
                    dx.put(base, g, 0, len);
                }
            }
        });
    }

    static void backwardFixed(FloatBuffer x, FloatBuffer dy, FloatBuffer dx, int n, int c, int hw, float[] a, float[] b,
                              float[] mean, float[] invStd, Act act, float[] dGamma, float[] dBeta) {
        BatchNormKernels.forChannels(c, (long) n * c * hw, (from, to) -> {
            int bc = blockChannels(hw);
            float[][] f = SCRATCH.atLeast(bc * hw);
            float[] xs = f[0], g = f[1], as = f[2], bs = f[3], mus = f[4];
            double[][] d = sums(bc * hw);
            double[] dsg = d[0], dsgx = d[1];
            for (int c0 = from; c0 < to; c0 += bc) {
                int c1 = Math.min(to, c0 + bc), len = (c1 - c0) * hw;
                spread(a, c0, c1, hw, as);
                spread(b, c0, c1, hw, bs);
                spread(mean, c0, c1, hw, mus);
                Arrays.fill(dsg, 0, len, 0);
                Arrays.fill(dsgx, 0, len, 0);
                for (int bt = 0; bt < n; bt++) {
                    int base = (bt * c + c0) * hw;
                    x.get(base, xs, 0, len);
                    dy.get(base, g, 0, len);
                    gate(xs, g, as, bs, len, act);
                    gradientPerElement(g, xs, mus, len, dsg, dsgx);
                    for (int i = 0; i < len; i++) {
                        g[i] *= as[i];
                    }
                    dx.put(base, g, 0, len);
                }
                for (int ch = c0; ch < c1; ch++) {
                    int o = (ch - c0) * hw;
                    dBeta[ch] = (float) planeSum(dsg, o, hw);
                    dGamma[ch] = (float) (planeSum(dsgx, o, hw) * invStd[ch]);
                }
            }
        });
    }
}
