package org.segspark.jobs.export;

import com.fasterxml.jackson.annotation.JsonProperty;
import org.segspark.models.bench.Timing;
import org.segspark.models.onnx.OnnxRuntimeModel;

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
        return measure(model, batch, c, h, w, Timing.ofSteps(warmup, runs));
    }

    /** The median forward pass of a random [batch, c, h, w] input, warmed up and timed as {@code timing} says. */
    public static Figures measure(OnnxRuntimeModel model, int batch, long c, long h, long w, Timing timing) {
        float[] x = new float[(int) (batch * c * h * w)];
        Random r = new Random(3);
        for (int i = 0; i < x.length; i++) {
            x[i] = (float) r.nextGaussian();
        }
        long[] shape = {batch, c, h, w};
        double median = timing.medianSeconds(() -> () -> model.run(x, shape)) * 1e3;
        return new Figures(batch, median, batch * 1000.0 / median);
    }
}
