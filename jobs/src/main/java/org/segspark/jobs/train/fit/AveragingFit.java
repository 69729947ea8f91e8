package org.segspark.jobs.train.fit;

import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.spark.api.stats.SparkTrainingStats;
import org.deeplearning4j.spark.impl.graph.SparkComputationGraph;
import org.deeplearning4j.spark.impl.paramavg.ParameterAveragingTrainingMaster;
import org.segspark.jobs.spark.Sparks;
import org.segspark.jobs.progress.ProgressLine;
import org.segspark.jobs.progress.StepProgress;

import java.util.List;
import java.util.Map;

/**
 * Parameter averaging (DL4J's ParameterAveragingTrainingMaster): each worker trains
 * {@code averagingFrequency} minibatches from the broadcast network, then the driver averages
 * their parameters and updater states.
 */
public final class AveragingFit extends SparkFit {
    private final int batch;
    private final int averagingFrequency;
    private final int prefetch;
    private final double lrFactor;

    /** @param lrFactor the learning-rate factor of optimizer.lr-scaling over these workers */
    public AveragingFit(JavaSparkContext jsc, int workers, int batch, int averagingFrequency, int prefetch,
                        double lrFactor, int threadsPerTask, ProgressLine progress) {
        super(jsc, workers, threadsPerTask, progress, false);
        this.batch = batch;
        this.averagingFrequency = averagingFrequency;
        this.prefetch = prefetch;
        this.lrFactor = lrFactor;
    }

    @Override
    public String mode() {
        return "parameter-averaging";
    }

    @Override
    public double learningRateFactor() {
        return lrFactor;
    }

    @Override
    public void start(ComputationGraph net) {
    }

    @Override
    public Epoch fit(ComputationGraph net, EpochPlan plan) {
        // a master per epoch, seeded by the epoch: its random split of the minibatches into
        // averaging rounds then depends on the epoch alone, so a resumed run repeats it
        SparkComputationGraph sparkNet = new SparkComputationGraph(jsc, net, master(plan.seed()));
        sparkNet.setListeners(steps);
        sparkNet.setCollectTrainingStats(Sparks.trainingStatsClock(jsc));
        try (StepProgress p = stepProgress(plan)) {
            JavaRDD<String> paths = jsc.parallelize(plan.minibatches(), workers);
            sparkNet.fitPaths(paths, plan.loader());
        }
        SparkTrainingStats stats = sparkNet.getSparkTrainingStats();
        return new Epoch(sparkNet.getNetwork(), steps.takeEpoch(),
                stats == null ? Map.of() : TrainingStats.summarize(stats), null, List.of());
    }

    /**
     * DL4J splits an epoch's minibatches into floor(n / (workers x averaging-frequency)) rounds (at
     * least one), and in each round every worker fits at most averaging-frequency of its share:
     * what is left over in a round is not trained that epoch (a different remainder each epoch).
     */
    @Override
    protected long plannedSteps(EpochPlan plan) {
        long n = plan.minibatches().size(), perRound = (long) workers * averagingFrequency;
        return Math.min(n, Math.max(1, n / perRound) * perRound);
    }

    private ParameterAveragingTrainingMaster master(long seed) {
        ParameterAveragingTrainingMaster.Builder b = new ParameterAveragingTrainingMaster.Builder(workers, batch);
        b.trainingHooks(new WorkerHook(threadsPerTask));
        return b
                .batchSizePerWorker(batch)
                .averagingFrequency(averagingFrequency)
                .workerPrefetchNumBatches(prefetch)
                .saveUpdater(true)
                .rngSeed(seed)
                .build();
    }
}
