package org.segspark.jobs.train.fit;

import org.segspark.core.io.SerializableConf;
import org.segspark.jobs.data.BatchLoader;

import java.util.List;
import java.util.Locale;

/**
 * One epoch's training: its minibatches in order (each a list of row-group references) and the
 * loader that turns one into a DataSet.
 *
 * @param seed the epoch's seed (shuffles, flips and DL4J masters derive from it)
 */
public record EpochPlan(int epoch, int epochs, List<String> minibatches, BatchLoader loader, long seed,
                        SerializableConf conf) {

    /** The progress line's label. */
    public String label() {
        return String.format(Locale.ROOT, "epoch %d/%d train", epoch, epochs);
    }
}
