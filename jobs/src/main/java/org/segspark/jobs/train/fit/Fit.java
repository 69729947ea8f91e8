package org.segspark.jobs.train.fit;

import org.deeplearning4j.nn.graph.ComputationGraph;
import org.segspark.jobs.eval.Evaluator;
import org.segspark.jobs.records.Dl4jStatistic;
import org.segspark.jobs.records.SharingFigures;

import java.io.IOException;
import java.util.List;
import java.util.Map;

/**
 * How one epoch is trained: in this process, by parameter averaging, or by gradient sharing. The
 * epoch loop hands every strategy the same plan and knows none of them.
 */
public interface Fit {
    /** The training.mode this strategy implements, as written to training-stats.jsonl. */
    String mode();

    /** Workers training in parallel (1 in this process). */
    int workers();

    /** Threads each task's ops may use (0: all of this process's). */
    int threadsPerTask();

    /** Where validation runs. */
    Evaluator evaluator();

    /** The learning-rate factor the strategy needs (parameter averaging scales it with its workers). */
    default double learningRateFactor() {
        return 1.0;
    }

    /** Once, before the first epoch: the network training starts from (fresh or resumed). */
    void start(ComputationGraph net);

    /** Trains one epoch as planned; the network after it may be another object than the one given. */
    Epoch fit(ComputationGraph net, EpochPlan plan) throws IOException;

    /**
     * What an epoch's training left: the network, the steps it took, and the strategy's own figures.
     *
     * @param dl4j    DL4J's training statistics where its master keeps them (parameter averaging)
     * @param sharing segspark's gradient-sharing figures, or null
     * @param notes   console lines the strategy adds to the epoch's
     */
    record Epoch(ComputationGraph net, StepAccumulator.Steps steps, Map<String, Dl4jStatistic> dl4j,
                 SharingFigures sharing, List<String> notes) {
    }
}
