package org.segspark.jobs.train;

import org.apache.spark.util.DoubleAccumulator;
import org.apache.spark.util.LongAccumulator;
import org.deeplearning4j.nn.api.Model;
import org.deeplearning4j.optimize.api.BaseTrainingListener;

import java.io.Serializable;

/**
 * Sums every minibatch's loss where the minibatch is trained (on the executors, through Spark
 * accumulators), so the driver knows an epoch's mean training loss without collecting anything.
 * DL4J's own score from the training master is only the last minibatch's.
 */
public final class ScoreAccumulator extends BaseTrainingListener implements Serializable {
    private static final long serialVersionUID = 1L;
    private final DoubleAccumulator sum;
    private final LongAccumulator minibatches;

    public ScoreAccumulator(DoubleAccumulator sum, LongAccumulator minibatches) {
        this.sum = sum;
        this.minibatches = minibatches;
    }

    @Override
    public void iterationDone(Model model, int iteration, int epoch) {
        sum.add(model.score());
        minibatches.add(1);
    }

    /** Mean loss of the minibatches since the last reset, then resets. */
    public double takeMean() {
        double mean = minibatches.value() == 0 ? Double.NaN : sum.value() / minibatches.value();
        sum.reset();
        minibatches.reset();
        return mean;
    }

    public long minibatches() {
        return minibatches.value();
    }
}
