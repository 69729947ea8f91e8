package org.segspark.jobs.train.sharing;

import org.nd4j.linalg.dataset.api.MultiDataSet;
import org.nd4j.linalg.dataset.api.MultiDataSetPreProcessor;
import org.nd4j.linalg.dataset.api.iterator.MultiDataSetIterator;
import org.segspark.jobs.data.BatchLoader;
import org.segspark.core.io.SerializableConf;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.List;
import java.util.NoSuchElementException;

/** A worker's minibatches, loaded from their row-group references one at a time: one training step each. */
final class PlannedBatches implements MultiDataSetIterator {
    private final List<String> batches;
    private final BatchLoader loader;
    private final SerializableConf conf;
    private MultiDataSetPreProcessor preProcessor;
    private int next;
    /** Written by the prefetching thread, read by the training thread after the epoch. */
    private volatile long loadNanos;

    PlannedBatches(List<String> batches, BatchLoader loader, SerializableConf conf) {
        this.batches = batches;
        this.loader = loader;
        this.conf = conf;
    }

    @Override
    public boolean hasNext() {
        return next < batches.size();
    }

    @Override
    public MultiDataSet next() {
        if (!hasNext()) {
            throw new NoSuchElementException();
        }
        long t0 = System.nanoTime();
        try {
            MultiDataSet m = loader.load(batches.get(next++), conf.get());
            loadNanos += System.nanoTime() - t0;
            if (preProcessor != null) {
                preProcessor.preProcess(m);
            }
            return m;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Time spent loading the minibatches so far (on the prefetching thread, when there is one). */
    long loadNanos() {
        return loadNanos;
    }

    @Override
    public MultiDataSet next(int num) {
        throw new UnsupportedOperationException("planned minibatches are not re-batched");
    }

    @Override
    public void setPreProcessor(MultiDataSetPreProcessor preProcessor) {
        this.preProcessor = preProcessor;
    }

    @Override
    public MultiDataSetPreProcessor getPreProcessor() {
        return preProcessor;
    }

    @Override
    public boolean resetSupported() {
        return false;
    }

    @Override
    public boolean asyncSupported() {
        return true;
    }

    @Override
    public void reset() {
        throw new UnsupportedOperationException("one pass per epoch");
    }
}
