package org.segspark.models.layers;

import java.nio.FloatBuffer;
import java.util.Arrays;

/**
 * Depthwise convolution on small output planes (the last blocks of a MobileNet at 32x32), worked
 * channels-last: each sample's block of channels is transposed into [pixel][channel] arrays, so
 * every tap is one vectorised pass over the channels instead of a few-element pass per plane.
 * libnd4j's depthwise_conv2d_bp on oneDNN takes milliseconds on such planes (batch 32: 1,024
 * channels at 1x1 4.1 ms, 960 at 1x1 15 ms, 512 at 2x2 4.2 ms), its forward pass hundreds of
 * microseconds inside a network (MobileNetV3-Small at 32x32, batch 4: 0.4-1.3 ms per layer), and
 * {@link DepthwiseKernels}' per-plane loops spend their time starting each plane.
 * Same geometry and weight layout as {@link DepthwiseKernels}; weight and bias gradients are summed
 * per sample in float and across samples in double.
 */
final class SmallPlaneDepthwiseKernels {
    /**
     * Output planes of at most this many elements go here: at 2x2 this is 5-10x faster than
     * libnd4j's backward, at 4x4 libnd4j is 6x faster (batch 32, 256 channels: 173 against 1,066 µs).
     */
    static final int MAX_OUTPUT_PLANE = 4;

    private SmallPlaneDepthwiseKernels() {
    }

    /** For each output pixel, the (input pixel, tap) pairs it reads; taps on the zero border are left out. */
    private static int[][] reads(DepthwiseKernels.Shape s) {
        int oh = s.outH(), ow = s.outW(), k = s.k();
        int[][] reads = new int[oh * ow][];
        for (int oy = 0; oy < oh; oy++) {
            for (int ox = 0; ox < ow; ox++) {
                int[] pairs = new int[2 * k * k];
                int m = 0;
                for (int ky = 0; ky < k; ky++) {
                    for (int kx = 0; kx < k; kx++) {
                        int iy = oy * s.stride() - s.pad() + ky * s.dilation(), ix = ox * s.stride() - s.pad() + kx * s.dilation();
                        if (iy >= 0 && iy < s.h() && ix >= 0 && ix < s.w()) {
                            pairs[m++] = iy * s.w() + ix;
                            pairs[m++] = ky * k + kx;
                        }
                    }
                }
                reads[oy * ow + ox] = Arrays.copyOf(pairs, m);
            }
        }
        return reads;
    }

    /** Reads channels [from, from + cc) of sample {@code bt} (planes of {@code plane} floats) as [pixel][channel]. */
    private static void gather(FloatBuffer src, int bt, int channels, int from, int cc, int plane, float[] run, float[] t) {
        src.get((bt * channels + from) * plane, run, 0, cc * plane);
        if (plane == 1) {
            System.arraycopy(run, 0, t, 0, cc);
            return;
        }
        for (int j = 0; j < cc; j++) {
            for (int q = 0; q < plane; q++) {
                t[q * cc + j] = run[j * plane + q];
            }
        }
    }

    private static void scatter(float[] t, int cc, int plane, float[] run, FloatBuffer dst, int bt, int channels, int from) {
        if (plane == 1) {
            dst.put((bt * channels + from) * plane, t, 0, cc);
            return;
        }
        for (int j = 0; j < cc; j++) {
            for (int q = 0; q < plane; q++) {
                run[j * plane + q] = t[q * cc + j];
            }
        }
        dst.put((bt * channels + from) * plane, run, 0, cc * plane);
    }

    /** Weights [k, k, C, 1] of channels [from, to) as [tap][channel]. */
    private static float[] taps(float[] weights, DepthwiseKernels.Shape s, int from, int to) {
        int cc = to - from, taps = s.k() * s.k();
        float[] t = new float[taps * cc];
        for (int tap = 0; tap < taps; tap++) {
            System.arraycopy(weights, tap * s.c() + from, t, tap * cc, cc);
        }
        return t;
    }

    static void forward(FloatBuffer x, float[] weights, float[] bias, FloatBuffer out, DepthwiseKernels.Shape s) {
        int hw = s.h() * s.w(), ohw = s.outH() * s.outW(), k = s.k();
        int[][] reads = reads(s);
        BatchNormKernels.forChannels(s.c(), (long) s.n() * s.c() * ohw * k * k, (from, to) -> {
            int cc = to - from;
            float[] wt = taps(weights, s, from, to);
            float[] xt = new float[hw * cc], ot = new float[ohw * cc], run = new float[Math.max(hw, ohw) * cc];
            for (int bt = 0; bt < s.n(); bt++) {
                gather(x, bt, s.c(), from, cc, hw, run, xt);
                for (int p = 0; p < ohw; p++) {
                    int o = p * cc;
                    if (bias == null) {
                        Arrays.fill(ot, o, o + cc, 0f);
                    } else {
                        System.arraycopy(bias, from, ot, o, cc);
                    }
                    int[] rd = reads[p];
                    for (int r = 0; r < rd.length; r += 2) {
                        multiplyAdd(ot, o, wt, rd[r + 1] * cc, xt, rd[r] * cc, cc);
                    }
                }
                scatter(ot, cc, ohw, run, out, bt, s.c(), from);
            }
        });
    }

    /**
     * acc[at..at + len) += a[ai..] * b[bi..], on the Vector API when the JVM has it: HotSpot left
     * this loop scalar (it cannot tell that acc is not a or b), 2-5x slower on 240-576 channels.
     */
    private static void multiplyAdd(float[] acc, int at, float[] a, int ai, float[] b, int bi, int len) {
        if (BatchNormKernels.simd) {
            SimdSums.multiplyAdd(acc, at, a, ai, b, bi, len);
            return;
        }
        for (int j = 0; j < len; j++) {
            acc[at + j] += a[ai + j] * b[bi + j];
        }
    }

    /** The taps any output pixel reads, ascending: on planes smaller than the kernel most taps only meet the zero border. */
    private static int[] usedTaps(int[][] reads, int taps) {
        boolean[] used = new boolean[taps];
        for (int[] rd : reads) {
            for (int r = 1; r < rd.length; r += 2) {
                used[rd[r]] = true;
            }
        }
        int[] list = new int[taps];
        int m = 0;
        for (int tap = 0; tap < taps; tap++) {
            if (used[tap]) {
                list[m++] = tap;
            }
        }
        return Arrays.copyOf(list, m);
    }

    static void backward(FloatBuffer x, float[] weights, FloatBuffer dy, FloatBuffer dx, float[] dWeights, float[] dBias,
                         DepthwiseKernels.Shape s) {
        int hw = s.h() * s.w(), ohw = s.outH() * s.outW(), k = s.k(), taps = k * k;
        int[][] reads = reads(s);
        int[] used = usedTaps(reads, taps);
        BatchNormKernels.forChannels(s.c(), (long) s.n() * s.c() * ohw * k * k, (from, to) -> {
            int cc = to - from;
            float[] wt = taps(weights, s, from, to);
            float[] xt = new float[hw * cc], gt = new float[ohw * cc], dxt = new float[hw * cc];
            float[] run = new float[Math.max(hw, ohw) * cc];
            float[] dwSample = new float[taps * cc], dbSample = new float[cc];
            double[] dw = new double[taps * cc], db = new double[cc];
            for (int bt = 0; bt < s.n(); bt++) {
                gather(x, bt, s.c(), from, cc, hw, run, xt);
                gather(dy, bt, s.c(), from, cc, ohw, run, gt);
                Arrays.fill(dxt, 0f);
                for (int tap : used) {
                    Arrays.fill(dwSample, tap * cc, (tap + 1) * cc, 0f);
                }
                Arrays.fill(dbSample, 0f);
                for (int p = 0; p < ohw; p++) {
                    int g = p * cc;
                    for (int j = 0; j < cc; j++) {
                        dbSample[j] += gt[g + j];
                    }
                    int[] rd = reads[p];
                    for (int r = 0; r < rd.length; r += 2) {
                        int xi = rd[r] * cc, wi = rd[r + 1] * cc;
                        multiplyAdd(dxt, xi, wt, wi, gt, g, cc);
                        multiplyAdd(dwSample, wi, xt, xi, gt, g, cc);
                    }
                }
                for (int tap : used) {
                    for (int i = tap * cc, end = i + cc; i < end; i++) {
                        dw[i] += dwSample[i];
                    }
                }
                for (int j = 0; j < cc; j++) {
                    db[j] += dbSample[j];
                }
                scatter(dxt, cc, hw, run, dx, bt, s.c(), from);
            }
            // taps no output reads keep a zero gradient (dw stays 0 there)
            for (int tap = 0; tap < taps; tap++) {
                for (int j = 0; j < cc; j++) {
                    dWeights[tap * s.c() + from + j] = (float) dw[tap * cc + j];
                }
            }
            if (dBias != null) {
                for (int j = 0; j < cc; j++) {
                    dBias[from + j] = (float) db[j];
                }
            }
        });
    }
}
