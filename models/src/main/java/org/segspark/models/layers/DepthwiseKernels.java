package org.segspark.models.layers;

import java.nio.FloatBuffer;
import java.util.Arrays;

/**
 * Depthwise convolution (multiplier 1, NCHW float, zero padding, any stride and dilation) in Java,
 * for the dilated ones: libnd4j's oneDNN path cannot run them on this build and its generic path
 * (im2col, a batched matrix product per channel, copies between layouts) took 28% of a DeepLabV3+
 * training step. Each plane is copied once into a zero-bordered array, so the loops have no bounds
 * tests, and for stride 1 every tap is one vectorisable pass over an output row. Weights are
 * DL4J's [kH, kW, C, 1]. Planes are split over threads like the batch-norm kernels.
 */
final class DepthwiseKernels {
    private DepthwiseKernels() {
    }

    /** The geometry of one depthwise convolution. */
    record Shape(int n, int c, int h, int w, int k, int stride, int pad, int dilation) {
        int outH() {
            return (h + 2 * pad - (k - 1) * dilation - 1) / stride + 1;
        }

        int outW() {
            return (w + 2 * pad - (k - 1) * dilation - 1) / stride + 1;
        }

        int paddedH() {
            return Math.max(h + 2 * pad, (outH() - 1) * stride + (k - 1) * dilation + 1);
        }

        int paddedW() {
            return Math.max(w + 2 * pad, (outW() - 1) * stride + (k - 1) * dilation + 1);
        }
    }

    /** The taps of channel ch, [k * k], from weights [k, k, C, 1]. */
    private static float[] taps(float[] weights, Shape s, int ch) {
        float[] t = new float[s.k() * s.k()];
        for (int i = 0; i < t.length; i++) {
            t[i] = weights[i * s.c() + ch];
        }
        return t;
    }

    private static void loadPadded(FloatBuffer x, int base, Shape s, float[] row, float[] padded) {
        int pw = s.paddedW();
        Arrays.fill(padded, 0f);
        for (int y = 0; y < s.h(); y++) {
            x.get(base + y * s.w(), row, 0, s.w());
            System.arraycopy(row, 0, padded, (y + s.pad()) * pw + s.pad(), s.w());
        }
    }

    static void forward(FloatBuffer x, float[] weights, float[] bias, FloatBuffer out, Shape s) {
        int oh = s.outH(), ow = s.outW(), pw = s.paddedW(), st = s.stride(), d = s.dilation(), k = s.k();
        BatchNormKernels.forChannels(s.c(), (long) s.n() * s.c() * oh * ow * k * k, (from, to) -> {
            float[] padded = new float[s.paddedH() * pw], row = new float[s.w()], o = new float[oh * ow];
            for (int ch = from; ch < to; ch++) {
                float[] t = taps(weights, s, ch);
                float b = bias == null ? 0f : bias[ch];
                for (int bt = 0; bt < s.n(); bt++) {
                    loadPadded(x, (bt * s.c() + ch) * s.h() * s.w(), s, row, padded);
                    Arrays.fill(o, b);
                    for (int ky = 0; ky < k; ky++) {
                        for (int kx = 0; kx < k; kx++) {
                            float wv = t[ky * k + kx];
                            for (int y = 0; y < oh; y++) {
                                int src = (y * st + ky * d) * pw + kx * d, dst = y * ow;
                                if (st == 1) {
                                    for (int xo = 0; xo < ow; xo++) {
                                        o[dst + xo] += wv * padded[src + xo];
                                    }
                                } else {
                                    for (int xo = 0; xo < ow; xo++) {
                                        o[dst + xo] += wv * padded[src + xo * st];
                                    }
                                }
                            }
                        }
                    }
                    out.put((bt * s.c() + ch) * oh * ow, o, 0, oh * ow);
                }
            }
        });
    }

    /**
     * Input, weight and bias gradients from dy [n, C, oh, ow]. Weight and bias sums are double:
     * they add up n * oh * ow products.
     */
    static void backward(FloatBuffer x, float[] weights, FloatBuffer dy, FloatBuffer dx, float[] dWeights, float[] dBias,
                         Shape s) {
        int oh = s.outH(), ow = s.outW(), pw = s.paddedW(), st = s.stride(), d = s.dilation(), k = s.k();
        BatchNormKernels.forChannels(s.c(), (long) s.n() * s.c() * oh * ow * k * k, (from, to) -> {
            float[] padded = new float[s.paddedH() * pw], dpadded = new float[padded.length], row = new float[s.w()];
            float[] g = new float[oh * ow];
            for (int ch = from; ch < to; ch++) {
                float[] t = taps(weights, s, ch);
                double[] dt = new double[k * k];
                double db = 0;
                for (int bt = 0; bt < s.n(); bt++) {
                    int plane = bt * s.c() + ch;
                    loadPadded(x, plane * s.h() * s.w(), s, row, padded);
                    dy.get(plane * oh * ow, g, 0, oh * ow);
                    Arrays.fill(dpadded, 0f);
                    for (int i = 0; i < oh * ow; i++) {
                        db += g[i];
                    }
                    for (int ky = 0; ky < k; ky++) {
                        for (int kx = 0; kx < k; kx++) {
                            float wv = t[ky * k + kx];
                            double acc = 0;
                            for (int y = 0; y < oh; y++) {
                                int src = (y * st + ky * d) * pw + kx * d, gy = y * ow;
                                float rowAcc = 0;
                                if (st == 1) {
                                    for (int xo = 0; xo < ow; xo++) {
                                        rowAcc += g[gy + xo] * padded[src + xo];
                                        dpadded[src + xo] += wv * g[gy + xo];
                                    }
                                } else {
                                    for (int xo = 0; xo < ow; xo++) {
                                        rowAcc += g[gy + xo] * padded[src + xo * st];
                                        dpadded[src + xo * st] += wv * g[gy + xo];
                                    }
                                }
                                acc += rowAcc;
                            }
                            dt[ky * k + kx] += acc;
                        }
                    }
                    for (int y = 0; y < s.h(); y++) {
                        dx.put(plane * s.h() * s.w() + y * s.w(), dpadded, (y + s.pad()) * pw + s.pad(), s.w());
                    }
                }
                for (int i = 0; i < k * k; i++) {
                    dWeights[i * s.c() + ch] = (float) dt[i];
                }
                if (dBias != null) {
                    dBias[ch] = (float) db;
                }
            }
        });
    }
}
