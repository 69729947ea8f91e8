package org.segspark.jobs.train.sharing;

import org.deeplearning4j.optimize.api.StepFunction;
import org.deeplearning4j.optimize.solvers.accumulation.GradientsAccumulator;
import org.deeplearning4j.optimize.solvers.accumulation.IndexedTail;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.segspark.models.layers.DenseArrays;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.FloatBuffer;

/**
 * Hooks the exchange into DL4J's own training step. DL4J hands an accumulator each step's update
 * (the gradient after the updater: Adam's step for this worker's minibatch) before applying it;
 * this one replaces it with the sum of every worker's update for the step (or their mean), so
 * each worker applies what a single process would apply after seeing all the workers' minibatches
 * (sum), or one step of an N-times larger batch (mean). Everything else of the step (batch-norm
 * statistics, listeners, workspaces) stays DL4J's.
 */
public final class SharedUpdates implements GradientsAccumulator {
    private static final long serialVersionUID = 1L;
    private final transient UpdateExchange exchange;
    private final boolean mean;
    private long steps;
    private long conversionNanos;
    /** The step's update as a Java array, kept between steps. */
    private transient float[] values;

    public SharedUpdates(UpdateExchange exchange, boolean mean) {
        this.exchange = exchange;
        this.mean = mean;
    }

    public long steps() {
        return steps;
    }

    /** Time spent copying updates out of and back into ND4J's arrays. */
    public long conversionNanos() {
        return conversionNanos;
    }

    @Override
    public void storeUpdate(INDArray update, int iteration, int epoch) {
        long t0 = System.nanoTime();
        // DL4J hands over its flat gradient array reshaped to one dimension: a contiguous run of
        // native floats, copied in bulk into an array kept between steps (a step's update is tens of
        // MB; copying it out and back through new ND4J arrays cost more than the exchange)
        boolean flat = bulk(update);
        int n = (int) update.length();
        if (values == null || values.length != n) {
            values = new float[n];
        }
        float[] v = values;
        if (flat) {
            nativeValues(update).get(v);
        } else {
            System.arraycopy(update.reshape(n).toFloatVector(), 0, v, 0, n);
        }
        conversionNanos += System.nanoTime() - t0;
        try {
            exchange.sum(v);
        } catch (IOException e) {
            throw new UncheckedIOException("exchanging the step's update with the other training tasks", e);
        }
        if (mean) {
            float f = 1f / exchange.size();
            for (int i = 0; i < v.length; i++) {
                v[i] *= f;
            }
        }
        long t1 = System.nanoTime();
        if (flat) {
            nativeValues(update).put(v);
        } else {
            update.assign(Nd4j.createFromArray(v).reshape(update.shape()));
        }
        conversionNanos += System.nanoTime() - t1;
        steps++;
    }

    /**
     * Whether {@code a}'s values are the first floats of its buffer, in order (views at an offset
     * take the slow path: how ND4J's buffers count offsets differs between kinds of view).
     */
    static boolean bulk(INDArray a) {
        return DenseArrays.denseFloats(a)
                && a.offset() == 0 && a.length() <= a.data().length();
    }

    /** {@code a}'s values in native memory, for a {@link #bulk} array. */
    private static FloatBuffer nativeValues(INDArray a) {
        return a.data().asNioFloat();
    }

    @Override
    public void applyUpdate(StepFunction function, INDArray params, INDArray updates, boolean isFinalStep) {
        function.step(params, updates);
    }

    @Override
    public void applyUpdate(StepFunction function, INDArray params, INDArray updates, double alpha) {
        function.step(params, updates);
    }

    @Override
    public void receiveUpdate(INDArray array) {
        throw new UnsupportedOperationException("updates arrive through the exchange only");
    }

    @Override
    public void setExternalSource(IndexedTail source) {
        // the exchange is the only source
    }

    @Override
    public IndexedTail getExternalSource() {
        return null;
    }

    @Override
    public void markExternalUpdates(boolean updates) {
        // every step is synchronous: there is nothing pending between steps
    }

    @Override
    public void reset() {
        // no state between steps
    }

    @Override
    public void touch() {
        // no state between steps
    }

    @Override
    public boolean hasAnything() {
        return false;
    }
}
