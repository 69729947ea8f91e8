package org.segspark.preprocess.job;

import java.io.Serializable;

/** Running totals for one split: examples, class pixel counts and per-channel moments. Mergeable across tasks. */
public final class SplitStats implements Serializable {
    private static final long serialVersionUID = 1L;

    long examples;
    final long[] classPixels;
    long ignoredPixels;
    final long[] classExamples;
    final double[] channelSum;
    final double[] channelSumSq;
    long channelPixels;

    /** {@code channels}: of the images, 3 (RGB) or 1 (grey). */
    public SplitStats(int numClasses, int channels) {
        this.classPixels = new long[numClasses];
        this.classExamples = new long[numClasses];
        this.channelSum = new double[channels];
        this.channelSumSq = new double[channels];
    }

    /**
     * Adds one example, its image HWC with this split's channels; {@code region} limits the channel
     * statistics to the image content (not padding).
     */
    public void add(byte[] pixels, int width, int[] region, byte[] mask, int label) {
        examples++;
        if (mask != null) {
            for (byte b : mask) {
                int c = b & 0xff;
                if (c < classPixels.length) {
                    classPixels[c]++;
                } else {
                    ignoredPixels++;
                }
            }
        }
        if (label >= 0 && label < classExamples.length) {
            classExamples[label]++;
        }
        int x0 = region[0], y0 = region[1], w = region[2], h = region[3];
        int channels = channelSum.length;
        for (int y = y0; y < y0 + h; y++) {
            int p = (y * width + x0) * channels;
            for (int x = 0; x < w; x++, p += channels) {
                for (int c = 0; c < channels; c++) {
                    double v = pixels[p + c] & 0xff;
                    channelSum[c] += v;
                    channelSumSq[c] += v * v;
                }
            }
        }
        channelPixels += (long) w * h;
    }

    /** The raw sums, as an incremental run's input index keeps them to merge with a later run's. */
    public record Sums(long examples, long[] classPixels, long ignoredPixels, long[] classExamples,
                       double[] channelSum, double[] channelSumSq, long channelPixels) implements Serializable {
    }

    public Sums sums() {
        return new Sums(examples, classPixels.clone(), ignoredPixels, classExamples.clone(), channelSum.clone(),
                channelSumSq.clone(), channelPixels);
    }

    public static SplitStats of(Sums s) {
        SplitStats st = new SplitStats(s.classPixels().length, s.channelSum().length);
        st.examples = s.examples();
        System.arraycopy(s.classPixels(), 0, st.classPixels, 0, s.classPixels().length);
        System.arraycopy(s.classExamples(), 0, st.classExamples, 0, s.classExamples().length);
        st.ignoredPixels = s.ignoredPixels();
        System.arraycopy(s.channelSum(), 0, st.channelSum, 0, st.channelSum.length);
        System.arraycopy(s.channelSumSq(), 0, st.channelSumSq, 0, st.channelSumSq.length);
        st.channelPixels = s.channelPixels();
        return st;
    }

    public SplitStats merge(SplitStats o) {
        if (o.channelSum.length != channelSum.length) {
            throw new IllegalArgumentException("cannot merge statistics of " + o.channelSum.length + "-channel images into "
                    + channelSum.length + "-channel ones");
        }
        examples += o.examples;
        ignoredPixels += o.ignoredPixels;
        channelPixels += o.channelPixels;
        for (int i = 0; i < classPixels.length; i++) {
            classPixels[i] += o.classPixels[i];
            classExamples[i] += o.classExamples[i];
        }
        for (int c = 0; c < channelSum.length; c++) {
            channelSum[c] += o.channelSum[c];
            channelSumSq[c] += o.channelSumSq[c];
        }
        return this;
    }

    public long examples() {
        return examples;
    }

    public long[] classPixels() {
        return classPixels.clone();
    }

    public long ignoredPixels() {
        return ignoredPixels;
    }

    public long[] classExamples() {
        return classExamples.clone();
    }

    public double[] mean() {
        double[] m = new double[channelSum.length];
        for (int c = 0; c < m.length; c++) {
            m[c] = channelPixels == 0 ? 0 : channelSum[c] / channelPixels;
        }
        return m;
    }

    public double[] std() {
        double[] s = new double[channelSum.length];
        double[] m = mean();
        for (int c = 0; c < s.length; c++) {
            double var = channelPixels == 0 ? 0 : channelSumSq[c] / channelPixels - m[c] * m[c];
            s[c] = Math.sqrt(Math.max(var, 0));
        }
        return s;
    }
}
