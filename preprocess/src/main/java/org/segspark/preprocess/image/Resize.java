package org.segspark.preprocess.image;

import org.segspark.core.config.Choice;

import java.util.Arrays;

/**
 * Image resizing for training tensors. Images use a separable triangle (bilinear) filter whose
 * support widens with the reduction factor, so downscaling averages every source pixel instead of
 * aliasing (the behaviour of PIL's BILINEAR resize). Label maps use nearest neighbour: class
 * indices must never be blended.
 */
public final class Resize {
    private Resize() {
    }

    /** How an image whose aspect ratio differs from the target's is fitted. */
    public enum Aspect implements Choice {
        /** Scale each axis independently to fill the target exactly. */
        STRETCH,
        /** Scale uniformly to fit inside the target and centre it; padding is black in the image and 255 (ignore) in the mask. */
        PAD
    }

    /** The placement of the resized content inside the target: offset and size. */
    public record Placement(int x, int y, int width, int height) {
        public static Placement of(int srcW, int srcH, int dstW, int dstH, Aspect aspect) {
            if (aspect == Aspect.STRETCH) {
                return new Placement(0, 0, dstW, dstH);
            }
            double s = Math.min((double) dstW / srcW, (double) dstH / srcH);
            int w = Math.max(1, Math.min(dstW, (int) Math.round(srcW * s)));
            int h = Math.max(1, Math.min(dstH, (int) Math.round(srcH * s)));
            return new Placement((dstW - w) / 2, (dstH - h) / 2, w, h);
        }
    }

    public static RgbImage rgb(RgbImage src, int dstW, int dstH, Aspect aspect) {
        return rgb(src, dstW, dstH, Placement.of(src.width(), src.height(), dstW, dstH, aspect));
    }

    /** Resizes into a given placement (one computed from a larger original, for a reduced decode of it). */
    public static RgbImage rgb(RgbImage src, int dstW, int dstH, Placement p) {
        byte[] scaled = filterRgb(src.pixels(), src.width(), src.height(), p.width(), p.height());
        if (p.width() == dstW && p.height() == dstH) {
            return new RgbImage(dstW, dstH, scaled);
        }
        byte[] out = new byte[dstW * dstH * 3];
        for (int y = 0; y < p.height(); y++) {
            System.arraycopy(scaled, y * p.width() * 3, out, ((y + p.y()) * dstW + p.x()) * 3, p.width() * 3);
        }
        return new RgbImage(dstW, dstH, out);
    }

    public static byte[] labels(byte[] src, int srcW, int srcH, int dstW, int dstH, Aspect aspect, byte fill) {
        Placement p = Placement.of(srcW, srcH, dstW, dstH, aspect);
        byte[] out = new byte[dstW * dstH];
        if (p.width() != dstW || p.height() != dstH) {
            Arrays.fill(out, fill);
        }
        int[] xs = nearestIndex(srcW, p.width());
        int[] ys = nearestIndex(srcH, p.height());
        for (int y = 0; y < p.height(); y++) {
            int row = ys[y] * srcW;
            int o = (y + p.y()) * dstW + p.x();
            for (int x = 0; x < p.width(); x++) {
                out[o + x] = src[row + xs[x]];
            }
        }
        return out;
    }

    /** Source index sampled by each destination index: the pixel under the destination pixel's centre. */
    static int[] nearestIndex(int src, int dst) {
        int[] idx = new int[dst];
        double scale = (double) src / dst;
        for (int i = 0; i < dst; i++) {
            idx[i] = Math.min(src - 1, (int) ((i + 0.5) * scale));
        }
        return idx;
    }

    /** Filter taps for one axis: for destination i, weights over source [start[i], start[i] + count[i]). */
    record Taps(int[] start, int[] count, float[][] weight) {
        static Taps triangle(int src, int dst) {
            double scale = (double) src / dst;
            double filterScale = Math.max(1.0, scale);
            double support = filterScale;
            int[] start = new int[dst];
            int[] count = new int[dst];
            float[][] weight = new float[dst][];
            for (int i = 0; i < dst; i++) {
                double center = (i + 0.5) * scale;
                int lo = Math.max(0, (int) Math.floor(center - support + 0.5));
                int hi = Math.min(src, (int) Math.floor(center + support + 0.5));
                if (hi <= lo) {
                    hi = Math.min(src, lo + 1);
                    lo = hi - 1;
                }
                float[] w = new float[hi - lo];
                double sum = 0;
                for (int j = lo; j < hi; j++) {
                    double d = Math.abs((j + 0.5 - center) / filterScale);
                    double v = d < 1 ? 1 - d : 0;
                    w[j - lo] = (float) v;
                    sum += v;
                }
                if (sum == 0) {
                    w[Math.min(w.length - 1, (int) (center - lo))] = 1;
                    sum = 1;
                }
                for (int k = 0; k < w.length; k++) {
                    w[k] /= (float) sum;
                }
                start[i] = lo;
                count[i] = w.length;
                weight[i] = w;
            }
            return new Taps(start, count, weight);
        }
    }

    static byte[] filterRgb(byte[] src, int sw, int sh, int dw, int dh) {
        if (sw == dw && sh == dh) {
            return src.clone();
        }
        Taps tx = Taps.triangle(sw, dw);
        Taps ty = Taps.triangle(sh, dh);
        // One output row at a time: the vertical pass sums whole source rows into a row buffer that
        // stays in L1 (contiguous loops the JIT vectorises), then the horizontal pass reads it.
        // Twice as fast as a horizontal pass over every source row into a full-size float image.
        int srcLen = sw * 3;
        float[] row = new float[srcLen];
        byte[] out = new byte[dw * dh * 3];
        for (int y = 0; y < dh; y++) {
            Arrays.fill(row, 0f);
            float[] w = ty.weight[y];
            for (int k = 0; k < w.length; k++) {
                int r = (ty.start[y] + k) * srcLen;
                float wk = w[k];
                for (int i = 0; i < srcLen; i++) {
                    row[i] += wk * (src[r + i] & 0xff);
                }
            }
            int orow = y * dw * 3;
            for (int x = 0; x < dw; x++) {
                float r = 0, g = 0, b = 0;
                int j = tx.start[x] * 3;
                float[] wx = tx.weight[x];
                for (int k = 0; k < wx.length; k++, j += 3) {
                    float wk = wx[k];
                    r += wk * row[j];
                    g += wk * row[j + 1];
                    b += wk * row[j + 2];
                }
                int o = orow + x * 3;
                out[o] = clamp(r);
                out[o + 1] = clamp(g);
                out[o + 2] = clamp(b);
            }
        }
        return out;
    }

    private static byte clamp(float v) {
        int i = Math.round(v);
        return (byte) (i < 0 ? 0 : Math.min(i, 255));
    }
}
