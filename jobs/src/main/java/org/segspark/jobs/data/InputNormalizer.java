package org.segspark.jobs.data;


import java.io.Serializable;

/**
 * uint8 HWC pixels to the float CHW values the network sees: (v - mean[c]) / std[c], with the
 * data set's statistics from the manifest, or with each image's own. It takes as many channels as
 * it has means: 3 (RGB) or 1 (grey).
 */
public record InputNormalizer(Normalization mode, float[] mean, float[] std) implements Serializable {

    /** {@code mean} and {@code std} null (or of another length): mid-grey and a quarter of the range. */
    public static InputNormalizer of(Normalization mode, int channels, double[] mean, double[] std) {
        float[] m = new float[channels], s = new float[channels];
        boolean stats = mean != null && std != null && mean.length == channels && std.length == channels;
        for (int c = 0; c < channels; c++) {
            m[c] = stats ? (float) mean[c] : 127.5f;
            s[c] = !stats || std[c] < 1e-3 ? 64f : (float) std[c];
        }
        return new InputNormalizer(mode, m, s);
    }

    public int channels() {
        return mean.length;
    }

    /** Writes one image of {@link #channels()} channels into {@code out} at {@code offset} as [channels, h, w]. */
    public void toChw(byte[] hwc, int h, int w, float[] out, int offset) {
        int channels = mean.length, plane = h * w;
        if (hwc.length != plane * channels) {
            throw new IllegalArgumentException("an image of " + hwc.length + " bytes is not " + h + "x" + w + "x" + channels);
        }
        float[] m = mean, s = std;
        if (mode == Normalization.IMAGE) {
            m = new float[channels];
            s = new float[channels];
            double[] sum = new double[channels], sq = new double[channels];
            for (int i = 0; i < hwc.length; i++) {
                double v = hwc[i] & 0xff;
                sum[i % channels] += v;
                sq[i % channels] += v * v;
            }
            for (int c = 0; c < channels; c++) {
                double mu = sum[c] / plane;
                m[c] = (float) mu;
                s[c] = (float) Math.max(Math.sqrt(Math.max(sq[c] / plane - mu * mu, 0)), 1.0);
            }
        }
        float[] inv = new float[channels];
        for (int c = 0; c < channels; c++) {
            inv[c] = 1f / s[c];
        }
        // one plane at a time with a stride of channels: a loop the JIT compiles to straight, unchecked code
        for (int c = 0; c < channels; c++) {
            float mc = m[c], ic = inv[c];
            int to = offset + c * plane;
            for (int p = 0, i = c; p < plane; p++, i += channels) {
                out[to + p] = ((hwc[i] & 0xff) - mc) * ic;
            }
        }
    }
}
