package org.segspark.jobs.train.fit;

import org.deeplearning4j.nn.api.Model;
import org.deeplearning4j.spark.api.TrainingHook;
import org.nd4j.linalg.dataset.api.DataSet;
import org.nd4j.linalg.dataset.api.MultiDataSet;
import org.segspark.models.layers.NativeSpeed;

/**
 * Gives the thread DL4J's parameter-averaging worker fits in the task's op threads before each
 * minibatch: the loader sets them in DL4J's prefetch thread, and OpenMP's count is per thread (see
 * {@link NativeSpeed#setThreads}).
 */
record OpThreadsHook(int threads) implements TrainingHook {
    @Override
    public void preUpdate(DataSet minibatch, Model model) {
        NativeSpeed.setThreads(threads);
    }

    @Override
    public void preUpdate(MultiDataSet minibatch, Model model) {
        NativeSpeed.setThreads(threads);
    }

    @Override
    public void postUpdate(DataSet minibatch, Model model) {
    }

    @Override
    public void postUpdate(MultiDataSet minibatch, Model model) {
    }
}
