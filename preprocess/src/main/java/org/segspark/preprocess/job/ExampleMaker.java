package org.segspark.preprocess.job;

import java.io.Serializable;

/** Turns one source item into a shard row or a reject, on an executor. Must never throw for bad input. */
@FunctionalInterface
public interface ExampleMaker<T> extends Serializable {
    Outcome make(T item);
}
