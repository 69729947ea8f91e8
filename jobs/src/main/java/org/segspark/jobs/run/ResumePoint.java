package org.segspark.jobs.run;

import org.deeplearning4j.nn.graph.ComputationGraph;
import org.segspark.jobs.records.EpochMetrics;

import java.util.List;

/**
 * Where an interrupted run stands: its network from the last epoch checkpoint (with updater
 * state) and the epochs behind it. Epoch shuffles, flips and samples derive from the seed and
 * the epoch number alone, so the remaining epochs see what they would have seen.
 */
public record ResumePoint(ComputationGraph net, List<EpochMetrics> history) {
    public int epochsDone() {
        return history.size();
    }
}
