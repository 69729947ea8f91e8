package org.segspark.jobs.eval;

import java.io.Serializable;

/**
 * Pixel (or image) counts by true class (rows) and predicted class (columns), summed over a
 * data set; ignore-labelled pixels are never counted. IoU of class c = TP / (TP + FP + FN), over
 * the whole set (not averaged per image), as the seed system and the COCO-style benchmarks report it.
 */
public final class ConfusionMatrix implements Serializable {
    private static final long serialVersionUID = 1L;
    private final long[][] counts;

    public ConfusionMatrix(int classes) {
        this.counts = new long[classes][classes];
    }

    public int classes() {
        return counts.length;
    }

    public void add(int truth, int predicted) {
        counts[truth][predicted]++;
    }

    public void add(int truth, int predicted, long n) {
        counts[truth][predicted] += n;
    }

    public long get(int truth, int predicted) {
        return counts[truth][predicted];
    }

    public ConfusionMatrix merge(ConfusionMatrix o) {
        if (o.counts.length != counts.length) {
            throw new IllegalArgumentException("cannot merge " + o.counts.length + "-class and " + counts.length + "-class matrices");
        }
        for (int i = 0; i < counts.length; i++) {
            for (int j = 0; j < counts.length; j++) {
                counts[i][j] += o.counts[i][j];
            }
        }
        return this;
    }

    public long total() {
        long t = 0;
        for (long[] row : counts) {
            for (long v : row) {
                t += v;
            }
        }
        return t;
    }

    /** IoU per class; NaN for a class that is neither present nor predicted. */
    public double[] iou() {
        int k = counts.length;
        double[] iou = new double[k];
        for (int c = 0; c < k; c++) {
            long tp = counts[c][c], fp = 0, fn = 0;
            for (int o = 0; o < k; o++) {
                if (o != c) {
                    fp += counts[o][c];
                    fn += counts[c][o];
                }
            }
            long union = tp + fp + fn;
            iou[c] = union == 0 ? Double.NaN : (double) tp / union;
        }
        return iou;
    }

    /** Mean IoU over the classes that occur (present or predicted). */
    public double meanIou() {
        double sum = 0;
        int n = 0;
        for (double v : iou()) {
            if (!Double.isNaN(v)) {
                sum += v;
                n++;
            }
        }
        return n == 0 ? Double.NaN : sum / n;
    }

    /** Share of counted items predicted right (pixel accuracy, or top-1 for images). */
    public double accuracy() {
        long right = 0;
        for (int c = 0; c < counts.length; c++) {
            right += counts[c][c];
        }
        long t = total();
        return t == 0 ? Double.NaN : (double) right / t;
    }

    public long[][] toArray() {
        long[][] copy = new long[counts.length][];
        for (int i = 0; i < counts.length; i++) {
            copy[i] = counts[i].clone();
        }
        return copy;
    }
}
