package org.segspark.jobs.train.fit;

import org.apache.spark.api.java.JavaSparkContext;
import org.segspark.jobs.eval.Evaluator;
import org.segspark.jobs.progress.ProgressLine;
import org.segspark.jobs.progress.StepProgress;

/** What the strategies that train on the executors share: the workers, their threads, evaluation there. */
public abstract class SparkFit implements Fit {
    protected final JavaSparkContext jsc;
    protected final int workers;
    protected final int threadsPerTask;
    protected final ProgressLine progress;
    protected final StepAccumulator steps;

    /** @param forwardToNewest see {@link StepAccumulator} (DL4J's gradient sharing keeps its models across fits) */
    protected SparkFit(JavaSparkContext jsc, int workers, int threadsPerTask, ProgressLine progress,
                       boolean forwardToNewest) {
        this.jsc = jsc;
        this.workers = workers;
        this.threadsPerTask = threadsPerTask;
        this.progress = progress;
        this.steps = new StepAccumulator(jsc.sc(), forwardToNewest);
    }

    /** The epoch's progress line, in training steps counted where the workers take them. */
    protected StepProgress stepProgress(EpochPlan plan) {
        return StepProgress.start(jsc.sc(), "segspark-train-" + plan.epoch(), plan.label(), progress, steps.stepCounter(),
                plannedSteps(plan));
    }

    /** The steps the workers will take this epoch: one per minibatch, unless the mode leaves some out. */
    protected long plannedSteps(EpochPlan plan) {
        return plan.minibatches().size();
    }

    @Override
    public int workers() {
        return workers;
    }

    @Override
    public int threadsPerTask() {
        return threadsPerTask;
    }

    @Override
    public Evaluator evaluator() {
        return Evaluator.onSpark(jsc);
    }
}
