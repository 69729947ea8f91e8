package org.segspark.preprocess.job;

import org.apache.hadoop.fs.Path;

import java.io.Serializable;
import java.util.List;

/**
 * Turns one source item into shard rows or rejects, on an executor: usually one outcome (an image
 * file), several for a container of examples (a CIFAR-10 batch file). Every input the item holds
 * must come back as exactly one outcome. Must never throw for bad input.
 */
public interface ExampleMaker<T> extends Serializable {
    List<Outcome> make(T item);

    /** The item's identity across runs: unique within the source, independent of where the data set lives. */
    String key(T item);

    /**
     * The files {@link #make} reads for the item. Their sizes and modification times, with the item
     * itself, make its fingerprint: an incremental run reuses an earlier run's rows for the item only
     * while the fingerprint is unchanged. Must not throw: a path that cannot be resolved is left out
     * (the item's own content still counts).
     */
    List<Path> files(T item);
}
