package org.segspark.jobs.train.fit;

import org.deeplearning4j.nn.api.Model;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.spark.api.TrainingHook;
import org.nd4j.linalg.dataset.api.DataSet;
import org.nd4j.linalg.dataset.api.MultiDataSet;
import org.segspark.models.graph.FusedGraphUpdater;
import org.segspark.models.layers.NativeSpeed;

/**
 * Readies DL4J's parameter-averaging worker before each minibatch, in the thread it fits in: the
 * task's op threads (the loader sets them in DL4J's prefetch thread, and OpenMP's count is per
 * thread, see {@link NativeSpeed#setThreads}), and segspark's updater on the network the worker
 * made from the driver's configuration, parameters and optimiser state. With {@code threads} 0 the
 * thread keeps its count.
 */
public record WorkerHook(int threads) implements TrainingHook {
    @Override
    public void preUpdate(DataSet minibatch, Model model) {
        ready(model);
    }

    @Override
    public void preUpdate(MultiDataSet minibatch, Model model) {
        ready(model);
    }

    private void ready(Model model) {
        if (threads > 0) {
            NativeSpeed.setThreads(threads);
        }
        if (model instanceof ComputationGraph net) {
            FusedGraphUpdater.install(net);
        }
    }

    @Override
    public void postUpdate(DataSet minibatch, Model model) {
    }

    @Override
    public void postUpdate(MultiDataSet minibatch, Model model) {
    }
}
