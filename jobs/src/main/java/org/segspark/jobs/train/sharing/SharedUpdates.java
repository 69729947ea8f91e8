package org.segspark.jobs.train.sharing;

import org.deeplearning4j.optimize.api.StepFunction;
import org.deeplearning4j.optimize.solvers.accumulation.GradientsAccumulator;
import org.deeplearning4j.optimize.solvers.accumulation.IndexedTail;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import java.io.IOException;
import java.io.UncheckedIOException;

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

    public SharedUpdates(UpdateExchange exchange, boolean mean) {
        this.exchange = exchange;
        this.mean = mean;
    }

    public long steps() {
        return steps;
    }

    @Override
    public void storeUpdate(INDArray update, int iteration, int epoch) {
        float[] v = update.reshape(update.length()).toFloatVector();
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
        update.assign(Nd4j.createFromArray(v).reshape(update.shape()));
        steps++;
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
