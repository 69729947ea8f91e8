package org.segspark.models.bench;

import org.deeplearning4j.nn.graph.ComputationGraph;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.MultiDataSet;
import org.segspark.models.ModelConfig;
import org.segspark.models.graph.FusedGraphUpdater;
import org.segspark.models.registry.ModelRegistry;

import java.util.List;
import java.util.function.IntFunction;

/**
 * One registry model built once and timed on request, training or inference, as often as a
 * benchmark asks: so that it can take turns with a peer every few seconds on one network, its
 * compiled code and its workspaces kept between turns.
 */
public final class TimedModel {
    private final String model;
    private final int batch;
    private final ComputationGraph net;
    private final IntFunction<MultiDataSet> batches;
    private final INDArray inferBatch;
    private int step;

    public TimedModel(String model, int classes, int size, int batch) {
        ModelConfig cfg = ModelRegistry.get(model).defaults().withClasses(classes).withInput(size, size);
        this.model = model;
        this.batch = batch;
        this.net = FusedGraphUpdater.install(ModelRegistry.build(model, cfg));
        this.batches = SingleProcessBenchmark.freshBatches(ModelRegistry.get(model).task(), cfg, batch);
        // inference changes no weight: one batch throughout, as in the PyTorch peer
        this.inferBatch = batches.apply(0).getFeatures(0);
    }

    /** Seconds of every timed training step, each on a fresh batch made outside the timing. */
    public List<Double> trainSteps(Timing timing) {
        return timing.stepSeconds(() -> {
            MultiDataSet data = batches.apply(step++);
            return () -> net.fit(data);
        });
    }

    /** Seconds of every timed forward pass (inference mode) of one batch. */
    public List<Double> inferSteps(Timing timing) {
        return timing.stepSeconds(() -> () -> net.output(false, inferBatch));
    }

    public String model() {
        return model;
    }

    public int batch() {
        return batch;
    }
}
