package org.segspark.models.bench;

import java.util.Random;
import java.util.function.IntFunction;

import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.MultiDataSet;
import org.nd4j.linalg.factory.Nd4j;
import org.segspark.models.ModelConfig;
import org.segspark.core.Task;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * Training and inference throughput of one registry model in this JVM: warm-up steps, then the
 * median of timed steps (the median resists the noise of a shared machine). Every training step
 * gets a fresh random batch: a network trained on one fixed batch memorises it, its gradients
 * sink into denormal floats, and both frameworks then run several times slower than on real data.
 */
public final class SingleProcessBenchmark {
    private SingleProcessBenchmark() {
    }

    /** Median step times and the resulting images per second. */
    public record Result(String model, int size, int batch, int steps, double trainStepSeconds,
                         double inferStepSeconds) {
        public double trainImagesPerSecond() {
            return batch / trainStepSeconds;
        }

        public double inferImagesPerSecond() {
            return batch / inferStepSeconds;
        }
    }

    /**
     * Fresh random batches for a model configuration, one per step, made outside any timed region
     * by the caller; step {@code i} is always the same batch.
     */
    public static IntFunction<MultiDataSet> freshBatches(Task task, ModelConfig cfg, int batch) {
        return step -> randomBatch(task, cfg, batch, 1 + step);
    }

    /** A fixed batch for a model configuration: its input size, and targets shaped for its head. */
    public static MultiDataSet randomBatch(Task task, ModelConfig cfg, int batch, long seed) {
        if (task == Task.SEGMENTATION && cfg.outputChannels() == 1) {
            Random r = new Random(seed);
            MultiDataSet m = randomBatch(task, 2, batch, cfg.channels(), cfg.height(), cfg.width(), seed);
            float[] y = new float[batch * cfg.height() * cfg.width()];
            for (int i = 0; i < y.length; i++) {
                y[i] = r.nextBoolean() ? 1f : 0f;
            }
            return new MultiDataSet(m.getFeatures(0), Nd4j.create(y, new long[] {batch, 1, cfg.height(), cfg.width()}, 'c'));
        }
        return randomBatch(task, cfg.classes(), batch, cfg.channels(), cfg.height(), cfg.width(), seed);
    }

    /** A fixed batch of uniform inputs in [-1, 1) and random one-hot targets. */
    public static MultiDataSet randomBatch(Task task, int classes, int batch, int size, long seed) {
        return randomBatch(task, classes, batch, size, size, seed);
    }

    /** A fixed batch of uniform RGB inputs in [-1, 1) and random one-hot targets, h x w. */
    public static MultiDataSet randomBatch(Task task, int classes, int batch, int h, int w, long seed) {
        return randomBatch(task, classes, batch, 3, h, w, seed);
    }

    /** A fixed batch of uniform inputs in [-1, 1) of {@code channels} channels and random one-hot targets, h x w. */
    public static MultiDataSet randomBatch(Task task, int classes, int batch, int channels, int h, int w, long seed) {
        Random r = new Random(seed);
        float[] x = new float[batch * channels * h * w];
        for (int i = 0; i < x.length; i++) {
            x[i] = r.nextFloat() * 2 - 1;
        }
        INDArray features = Nd4j.create(x, new long[] {batch, channels, h, w}, 'c');
        INDArray labels;
        if (task == Task.SEGMENTATION) {
            float[] y = new float[batch * classes * h * w];
            int plane = h * w;
            for (int n = 0; n < batch; n++) {
                for (int p = 0; p < plane; p++) {
                    y[(n * classes + r.nextInt(classes)) * plane + p] = 1f;
                }
            }
            labels = Nd4j.create(y, new long[] {batch, classes, h, w}, 'c');
        } else {
            float[] y = new float[batch * classes];
            for (int n = 0; n < batch; n++) {
                y[n * classes + r.nextInt(classes)] = 1f;
            }
            labels = Nd4j.create(y, new long[] {batch, classes}, 'c');
        }
        return new MultiDataSet(features, labels);
    }

    public static Result run(String model, int classes, int size, int batch, int warmup, int steps) {
        Timing t = Timing.ofSteps(warmup, steps);
        return run(model, classes, size, batch, t, t);
    }

    /**
     * Training steps timed as {@code train} says, then inference as {@code infer} says, on one
     * network. Warm-up seconds matter on the JVM: HotSpot compiles DL4J's and segspark's Java code
     * for 10-15 s (a small classifier at 32x32 ran inference 3x slower after 2 warm-up steps than
     * after 10 seconds), and a training run lives in the steady state.
     */
    public static Result run(String model, int classes, int size, int batch, Timing train, Timing infer) {
        TimedModel timed = new TimedModel(model, classes, size, batch);
        List<Double> trained = timed.trainSteps(train);
        return new Result(model, size, batch, trained.size(), median(trained), median(timed.inferSteps(infer)));
    }

    public static double median(List<Double> values) {
        List<Double> v = new ArrayList<>(values);
        Collections.sort(v);
        int n = v.size();
        return n % 2 == 1 ? v.get(n / 2) : (v.get(n / 2 - 1) + v.get(n / 2)) / 2;
    }
}
