package org.segspark.jobs.data;


import java.io.Serializable;

/**
 * uint8 HWC pixels to the float CHW values the network sees: (v - mean[c]) / std[c], with the
 * data set's statistics from the manifest, or with each image's own.
 */
public record InputNormalizer(Normalization mode, float[] mean, float[] std) implements Serializable {

    public static InputNormalizer of(Normalization mode, double[] mean, double[] std) {
        float[] m = new float[3], s = new float[3];
        for (int c = 0; c < 3; c++) {
            m[c] = mean == null ? 127.5f : (float) mean[c];
            s[c] = std == null || std[c] < 1e-3 ? 64f : (float) std[c];
        }
        return new InputNormalizer(mode, m, s);
    }

    /** Writes one image into {@code out} at {@code offset} as [3, h, w]. */
    public void toChw(byte[] hwc, int h, int w, float[] out, int offset) {
        float[] m = mean, s = std;
        if (mode == Normalization.IMAGE) {
            m = new float[3];
            s = new float[3];
            double[] sum = new double[3], sq = new double[3];
            for (int i = 0; i < hwc.length; i++) {
                double v = hwc[i] & 0xff;
                sum[i % 3] += v;
                sq[i % 3] += v * v;
            }
            int n = h * w;
            for (int c = 0; c < 3; c++) {
                double mu = sum[c] / n;
                m[c] = (float) mu;
                s[c] = (float) Math.max(Math.sqrt(Math.max(sq[c] / n - mu * mu, 0)), 1.0);
            }
        }
        int plane = h * w;
        float[] inv = {1f / s[0], 1f / s[1], 1f / s[2]};
        for (int p = 0, i = 0; p < plane; p++) {
            for (int c = 0; c < 3; c++, i++) {
                out[offset + c * plane + p] = ((hwc[i] & 0xff) - m[c]) * inv[c];
            }
        }
    }
}
