package org.segspark.jobs.train;

import org.apache.spark.util.DoubleAccumulator;
import org.apache.spark.util.LongAccumulator;
import org.deeplearning4j.nn.api.Model;
import org.deeplearning4j.optimize.api.BaseTrainingListener;

import java.io.IOException;
import java.io.ObjectInputStream;
import java.io.Serializable;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Sums every minibatch's loss where the minibatch is trained (on the executors, through Spark
 * accumulators), so the driver knows an epoch's mean training loss without collecting anything.
 * DL4J's own score from the training master is only the last minibatch's.
 * <p>
 * Gradient sharing keeps one model per executor JVM across fits and gives it the listeners of the
 * first fit only; accumulator copies of a finished task report nothing. So with
 * {@code forwardToNewest}, the listener on that model adds to the copy most recently deserialized
 * in the JVM (by the current fit's task) for the same run.
 */
public final class ScoreAccumulator extends BaseTrainingListener implements Serializable {
    private static final long serialVersionUID = 2L;
    private static final Map<String, ScoreAccumulator> NEWEST = new ConcurrentHashMap<>();
    private final DoubleAccumulator sum;
    private final LongAccumulator minibatches;
    private final String run = UUID.randomUUID().toString();
    private final boolean forwardToNewest;

    public ScoreAccumulator(DoubleAccumulator sum, LongAccumulator minibatches) {
        this(sum, minibatches, false);
    }

    public ScoreAccumulator(DoubleAccumulator sum, LongAccumulator minibatches, boolean forwardToNewest) {
        this.sum = sum;
        this.minibatches = minibatches;
        this.forwardToNewest = forwardToNewest;
    }

    @Override
    public void iterationDone(Model model, int iteration, int epoch) {
        ScoreAccumulator target = forwardToNewest ? NEWEST.getOrDefault(run, this) : this;
        target.sum.add(model.score());
        target.minibatches.add(1);
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

    private void readObject(ObjectInputStream in) throws IOException, ClassNotFoundException {
        in.defaultReadObject();
        if (forwardToNewest) {
            NEWEST.put(run, this);
        }
    }
}
