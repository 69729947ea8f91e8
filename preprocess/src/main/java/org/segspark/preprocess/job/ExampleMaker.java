package org.segspark.preprocess.job;

import java.io.Serializable;

import java.util.List;

/**
 * Turns one source item into shard rows or rejects, on an executor: usually one outcome (an image
 * file), several for a container of examples (a CIFAR-10 batch file). Every input the item holds
 * must come back as exactly one outcome. Must never throw for bad input.
 */
@FunctionalInterface
public interface ExampleMaker<T> extends Serializable {
    List<Outcome> make(T item);
}
