package org.segspark.models;

import org.deeplearning4j.nn.graph.ComputationGraph;

import java.util.List;

/**
 * A model's own record of a training run, one row per epoch: written as a JSON line into the run
 * folder, printed on the console, read back when the run resumes, and drawn in the run report.
 *
 * @param <R> the row: a record with an epoch number, written by its {@code @JsonProperty} names
 */
public interface EpochLog<R extends EpochLog.Row> {
    /** One epoch's row. */
    interface Row {
        int epoch();
    }

    /** File name in the run folder. */
    String file();

    Class<R> rowType();

    /** The row of the epoch just trained, from the network as it stands. */
    R afterEpoch(ComputationGraph net, int epoch, Double trainLoss);

    /** The row as a console line. */
    String describe(R row);

    /** The report's section over the rows so far, or null for none. */
    ReportSection section(List<R> rows);
}
