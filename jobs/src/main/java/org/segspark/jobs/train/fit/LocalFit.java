package org.segspark.jobs.train.fit;

import org.deeplearning4j.datasets.iterator.AsyncMultiDataSetIterator;
import org.deeplearning4j.datasets.iterator.IteratorMultiDataSetIterator;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.nd4j.linalg.dataset.api.MultiDataSet;
import org.nd4j.linalg.dataset.api.iterator.MultiDataSetIterator;
import org.segspark.jobs.eval.Evaluator;
import org.segspark.jobs.progress.ProgressLine;
import org.segspark.models.graph.FusedGraphUpdater;
import org.segspark.models.layers.NativeSpeed;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Iterator;
import java.util.List;
import java.util.Map;

/** Training in this process: the driver, or a Spark task running a trial-parallel sweep's trial. */
public final class LocalFit implements Fit {
    private final int batch;
    private final int prefetch;
    private final int threads;
    private final ProgressLine progress;
    private final StepAccumulator steps = new StepAccumulator(null, false);

    /** @param threads the op threads to train with; 0 keeps this thread's (a sweep's task set them) */
    public LocalFit(int batch, int prefetch, int threads, ProgressLine progress) {
        this.batch = batch;
        this.prefetch = prefetch;
        this.threads = threads;
        this.progress = progress;
    }

    @Override
    public String mode() {
        return "local";
    }

    @Override
    public int workers() {
        return 1;
    }

    @Override
    public int threadsPerTask() {
        return threads;
    }

    @Override
    public Evaluator evaluator() {
        return Evaluator.inProcess();
    }

    @Override
    public void start(ComputationGraph net) {
        net.setListeners(steps);
    }

    @Override
    public Epoch fit(ComputationGraph net, EpochPlan plan) {
        NativeSpeed.setThreads(threads);
        FusedGraphUpdater.install(net);
        List<String> order = plan.minibatches();
        Iterator<MultiDataSet> groups = new Iterator<>() {
            private int next;

            @Override
            public boolean hasNext() {
                return next < order.size();
            }

            @Override
            public MultiDataSet next() {
                progress.update(next);
                try {
                    return plan.loader().load(order.get(next++), plan.conf().get());
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            }
        };
        progress.start(plan.label(), order.size(), "steps");
        MultiDataSetIterator it = new IteratorMultiDataSetIterator(groups, batch);
        if (prefetch > 0) {
            it = new AsyncMultiDataSetIterator(it, prefetch);
        }
        net.fit(it);
        progress.update(order.size());
        return new Epoch(net, steps.takeEpoch(), Map.of(), null, List.of());
    }
}
