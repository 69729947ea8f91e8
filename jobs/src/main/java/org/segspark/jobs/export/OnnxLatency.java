package org.segspark.jobs.export;

import com.fasterxml.jackson.annotation.JsonProperty;
import org.segspark.models.onnx.OnnxRuntimeModel;

import java.util.Arrays;
import java.util.Random;

/** Inference time of an ONNX model in ONNX Runtime's CPU engine: the median of timed runs after warm-up runs. */
public final class OnnxLatency {
    private OnnxLatency() {
    }

    /** One batch size's figures. */
    public record Figures(@JsonProperty("batch") int batch, @JsonProperty("median_ms") double medianMs,
                          @JsonProperty("images_per_s") double imagesPerSecond) {
    }

    /** Times {@code runs} forward passes of a random [batch, c, h, w] input after {@code warmup} untimed ones. */
    public static Figures measure(OnnxRuntimeModel model, int batch, long c, long h, long w, int warmup, int runs) {
        return measure(model, batch, c, h, w, warmup, 0, runs);
    }

    /**
     * As {@link #measure(OnnxRuntimeModel, int, long, long, long, int, int)}, warming up for at least
     * {@code warmupSeconds} as well, as a benchmark's other engines do.
     */
    public static Figures measure(OnnxRuntimeModel model, int batch, long c, long h, long w, int warmup,
                                  double warmupSeconds, int runs) {
        float[] x = new float[(int) (batch * c * h * w)];
        Random r = new Random(3);
        for (int i = 0; i < x.length; i++) {
            x[i] = (float) r.nextGaussian();
        }
        long[] shape = {batch, c, h, w};
        long until = System.nanoTime() + (long) (warmupSeconds * 1e9);
        for (int i = 0; i < warmup || System.nanoTime() < until; i++) {
            model.run(x, shape);
        }
        double[] ms = new double[runs];
        for (int i = 0; i < runs; i++) {
            long t0 = System.nanoTime();
            model.run(x, shape);
            ms[i] = (System.nanoTime() - t0) / 1e6;
        }
        Arrays.sort(ms);
        double median = runs % 2 == 1 ? ms[runs / 2] : (ms[runs / 2 - 1] + ms[runs / 2]) / 2;
        return new Figures(batch, median, batch * 1000.0 / median);
    }
}
