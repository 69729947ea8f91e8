package org.segspark.jobs.train.fit;

import org.apache.spark.SparkContext;
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
 * Sums, where each minibatch is trained (on the executors, through Spark accumulators), its loss
 * and where its time went, so the driver knows an epoch's mean training loss and the workers'
 * compute time without collecting anything. DL4J's own score from the training master is only
 * the last minibatch's, and its gradient-sharing master keeps no training statistics.
 * <p>
 * A step's time is split at DL4J's gradient-calculated event: <b>compute</b> from the end of the
 * previous step on the same thread (loading the next prefetched batch, forward, backward) to the
 * gradient, <b>update</b> from the gradient to the step's end (the updater, and under gradient
 * sharing the threshold encoding of the update, its hand-over to the transport and the applying of
 * the peers' updates). A task's first step has no previous end and is not timed.
 * <p>
 * Gradient sharing keeps one model per executor JVM across fits and gives it the listeners of the
 * first fit only; accumulator copies of a finished task report nothing. So with
 * {@code forwardToNewest}, the listener on that model adds to the copy most recently deserialized
 * in the JVM (by the current fit's task) for the same run.
 */
public final class StepAccumulator extends BaseTrainingListener implements Serializable {
    private static final long serialVersionUID = 3L;
    private static final Map<String, StepAccumulator> NEWEST = new ConcurrentHashMap<>();
    private static final ThreadLocal<Marks> MARKS = ThreadLocal.withInitial(Marks::new);

    private final DoubleAccumulator lossSum;
    private final LongAccumulator minibatches;
    private final LongAccumulator computeNanos;
    private final LongAccumulator updateNanos;
    private final LongAccumulator timedSteps;
    private final String run = UUID.randomUUID().toString();
    private final boolean forwardToNewest;

    /** The count of steps taken, as the tasks add to it (a progress line follows it). */
    public LongAccumulator stepCounter() {
        return minibatches;
    }

    /** What the steps since the last {@link #takeEpoch()} added up to. */
    public record Steps(double meanLoss, long minibatches, long timedSteps, double computeSeconds,
                        double updateSeconds) {
    }

    /** {@code sc} null: accumulators of this process only (training inside a Spark task). */
    public StepAccumulator(SparkContext sc, boolean forwardToNewest) {
        this.lossSum = sc == null ? new DoubleAccumulator() : sc.doubleAccumulator("train loss sum");
        this.minibatches = sc == null ? new LongAccumulator() : sc.longAccumulator("train minibatches");
        this.computeNanos = sc == null ? new LongAccumulator() : sc.longAccumulator("train compute ns");
        this.updateNanos = sc == null ? new LongAccumulator() : sc.longAccumulator("train update ns");
        this.timedSteps = sc == null ? new LongAccumulator() : sc.longAccumulator("train timed steps");
        this.forwardToNewest = forwardToNewest;
    }

    /**
     * The training thread's last step end and gradient time, and the accumulator copy (the task)
     * they were taken for: a step whose previous end belongs to another task is not timed.
     */
    private static final class Marks {
        long end = -1;
        long gradient = -1;
        Object owner;
    }

    private StepAccumulator target() {
        return forwardToNewest ? NEWEST.getOrDefault(run, this) : this;
    }

    @Override
    public void onEpochStart(Model model) {
        MARKS.get().owner = null;
    }

    @Override
    public void onGradientCalculation(Model model) {
        Marks m = MARKS.get();
        StepAccumulator t = target();
        m.gradient = System.nanoTime();
        if (m.owner == t) {
            t.computeNanos.add(m.gradient - m.end);
        } else {
            m.gradient = -1;
        }
    }

    @Override
    public void iterationDone(Model model, int iteration, int epoch) {
        long now = System.nanoTime();
        Marks m = MARKS.get();
        StepAccumulator t = target();
        if (m.owner == t && m.gradient >= 0) {
            t.updateNanos.add(now - m.gradient);
            t.timedSteps.add(1);
        }
        m.end = now;
        m.owner = t;
        t.lossSum.add(model.score());
        t.minibatches.add(1);
    }

    /** The steps since the last call, then resets; a new epoch's first step per thread is timed again from its end. */
    public Steps takeEpoch() {
        long n = minibatches.value();
        Steps s = new Steps(n == 0 ? Double.NaN : lossSum.value() / n, n, timedSteps.value(),
                computeNanos.value() / 1e9, updateNanos.value() / 1e9);
        lossSum.reset();
        minibatches.reset();
        computeNanos.reset();
        updateNanos.reset();
        timedSteps.reset();
        MARKS.get().owner = null;
        return s;
    }

    private void readObject(ObjectInputStream in) throws IOException, ClassNotFoundException {
        in.defaultReadObject();
        if (forwardToNewest) {
            NEWEST.put(run, this);
        }
    }
}
