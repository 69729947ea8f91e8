package org.segspark.jobs.train;

import org.apache.hadoop.conf.Configuration;
import org.apache.spark.api.java.JavaSparkContext;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.segspark.core.io.SerializableConf;
import org.segspark.core.shards.ShardSet;
import org.segspark.jobs.data.BatchLoader;
import org.segspark.jobs.data.ShardBatchLoader;
import org.segspark.jobs.features.FeatureBatchLoader;
import org.segspark.jobs.features.FeatureCache;
import org.segspark.models.graph.EncoderSplit;
import org.segspark.models.graph.UpdaterStates;

import java.io.IOException;
import java.io.PrintStream;
import java.util.List;
import java.util.Locale;
import java.util.function.Consumer;

/**
 * Training with a feature cache: the fit trains the decoder alone on the cached encoder outputs,
 * while the epoch loop evaluates, re-estimates batch-norm statistics and checkpoints the whole
 * network. Before each epoch the decoder takes the whole network's parameters (its batch-norm
 * statistics were re-estimated) and step count; after it the whole network takes the decoder's
 * parameters, optimiser state and step count, so a checkpoint resumes exactly.
 */
final class DecoderTraining {
    private final FeatureCache.Prepared cache;
    private ComputationGraph decoder;

    private DecoderTraining(FeatureCache.Prepared cache, ComputationGraph decoder) {
        this.cache = cache;
        this.decoder = decoder;
    }

    /** The network training runs on (its encoder's batch norms fixed, see {@link EncoderSplit}). */
    record Start(ComputationGraph net, DecoderTraining training) {
    }

    /**
     * Cuts {@code net} at its encoder and makes the cache ready.
     *
     * @param jsc where the cache is computed: the executors, or this process when null
     */
    static Start start(ComputationGraph net, TrainConfig cfg, Configuration hconf, JavaSparkContext jsc, int workers,
                       ShardSet shards, List<ShardSet.RowGroup> groups, ShardBatchLoader plain,
                       Consumer<ComputationGraph> estimateNorms, PrintStream console) throws IOException {
        if (cfg.augmentation().shift() > 0) {
            throw new IllegalArgumentException("feature-cache " + cfg.featureCache() + ": the cache holds the encoder's "
                    + "outputs of the images as stored (and mirrored), not moved; set augment.shift = 0 or drop feature-cache");
        }
        EncoderSplit split = EncoderSplit.of(net.getConfiguration());
        if (!split.trainableNorms().isEmpty()) {
            // the plain run's first steps normalise these with the batches' statistics; fixed, they
            // keep the training images' (a fresh batch norm's running statistics are 0 and 1)
            estimateNorms.accept(net);
            console.printf(Locale.ROOT, "feature cache: the encoder's batch norms %s keep the training images' "
                    + "statistics and their scale and shift (a cached encoder is fixed)%n",
                    String.join(", ", split.trainableNorms()));
            net = split.fixEncoder(net);
        }
        console.printf(Locale.ROOT, "feature cache: the decoder trains alone on %d cached tensors (%s)%n",
                split.frontier().size(), String.join(", ", split.frontier()));
        FeatureCache.Prepared cache = FeatureCache.prepare(cfg.featureCache(), hconf, jsc, workers, split, net,
                cfg.model(), shards, groups, plain, cfg.flip(), console);
        return new Start(net, new DecoderTraining(cache, split.decoder(net)));
    }

    /** The decoder, in step with {@code net}, for the next epoch's fit. */
    ComputationGraph beforeEpoch(ComputationGraph net) {
        EncoderSplit.copyParams(net, decoder);
        decoder.getConfiguration().setIterationCount(net.getConfiguration().getIterationCount());
        decoder.getConfiguration().setEpochCount(net.getConfiguration().getEpochCount());
        return decoder;
    }

    /** Hands what the fit trained (the decoder, or the fit's copy of it) back to {@code net}. */
    void afterEpoch(ComputationGraph trained, ComputationGraph net) {
        decoder = trained;
        EncoderSplit.copyParams(trained, net);
        UpdaterStates.copy(trained, net);
        net.getConfiguration().setIterationCount(trained.getConfiguration().getIterationCount());
    }

    ComputationGraph decoder() {
        return decoder;
    }

    /** The epoch's minibatches from the cache, with {@code shards}' rows, order, flips and labels. */
    BatchLoader loader(ShardBatchLoader shards, SerializableConf conf) {
        return new FeatureBatchLoader(shards, cache, conf);
    }
}
