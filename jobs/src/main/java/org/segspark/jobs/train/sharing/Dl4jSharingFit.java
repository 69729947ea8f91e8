package org.segspark.jobs.train.sharing;

import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.optimize.solvers.accumulation.encoding.ThresholdAlgorithm;
import org.deeplearning4j.optimize.solvers.accumulation.encoding.residual.ResidualClippingPostProcessor;
import org.deeplearning4j.optimize.solvers.accumulation.encoding.threshold.AdaptiveThresholdAlgorithm;
import org.deeplearning4j.optimize.solvers.accumulation.encoding.threshold.FixedThresholdAlgorithm;
import org.deeplearning4j.spark.api.RDDTrainingApproach;
import org.deeplearning4j.spark.impl.graph.SparkComputationGraph;
import org.deeplearning4j.spark.parameterserver.training.SharedTrainingMaster;
import org.nd4j.parameterserver.distributed.conf.VoidConfiguration;
import org.segspark.jobs.cluster.AeronDirs;
import org.segspark.jobs.progress.ProgressLine;
import org.segspark.jobs.progress.StepProgress;
import org.segspark.jobs.train.fit.AeronPorts;
import org.segspark.jobs.train.fit.EpochPlan;
import org.segspark.jobs.train.fit.SparkFit;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.List;
import java.util.Map;

/**
 * Gradient sharing through DL4J's SharedTrainingMaster: threshold-encoded updates over Aeron UDP,
 * asynchronous; one long task per worker over all of its minibatches.
 */
public final class Dl4jSharingFit extends SparkFit {
    private final int batch;
    private final int prefetch;
    private final long seed;
    private final GradientSharing sharing;
    private SparkComputationGraph sparkNet;

    public Dl4jSharingFit(JavaSparkContext jsc, int workers, int batch, int prefetch, long seed, GradientSharing sharing,
                          int threadsPerTask, ProgressLine progress) {
        // the master's models outlive a fit: their listener adds to the newest accumulator copy
        super(jsc, workers, threadsPerTask, progress, true);
        this.batch = batch;
        this.prefetch = prefetch;
        this.seed = seed;
        this.sharing = sharing;
    }

    @Override
    public String mode() {
        return "gradient-sharing";
    }

    @Override
    public void start(ComputationGraph net) {
        AeronDirs.removeStale();     // left by earlier runs' JVMs
        sparkNet = new SparkComputationGraph(jsc, net, master());
        sparkNet.setListeners(steps);
    }

    @Override
    public Epoch fit(ComputationGraph net, EpochPlan plan) {
        try (StepProgress p = stepProgress(plan)) {
            JavaRDD<String> paths = jsc.parallelize(plan.minibatches(), workers);
            sparkNet.fitPaths(paths, plan.loader());
        }
        return new Epoch(sparkNet.getNetwork(), steps.takeEpoch(), Map.of(), null, List.of());
    }

    /**
     * Each element of the paths RDD is one minibatch (a row-group list), hence
     * rddDataSetNumExamples = batch; Direct, as Export needs a shared file system.
     */
    private SharedTrainingMaster master() {
        String host = jsc.getConf().get("spark.driver.host", "127.0.0.1");
        try {
            host = InetAddress.getByName(host).getHostAddress();
        } catch (UnknownHostException e) {
            throw new IllegalStateException("cannot resolve the driver host " + host + " for gradient sharing", e);
        }
        VoidConfiguration voidConf = VoidConfiguration.builder()
                .unicastPort(sharing.port()).controllerAddress(host).portSupplier(new AeronPorts(sharing.port())).build();
        ThresholdAlgorithm algorithm = sharing.adaptive()
                ? new AdaptiveThresholdAlgorithm(sharing.threshold())
                : new FixedThresholdAlgorithm(sharing.threshold());
        SharedTrainingMaster.Builder b = new SharedTrainingMaster.Builder(voidConf, workers, algorithm, batch)
                .batchSizePerWorker(batch)
                .workersPerNode(1)
                .workerPrefetchNumBatches(prefetch)
                .rddTrainingApproach(RDDTrainingApproach.Direct)
                .rngSeed(seed);
        if (sharing.residualClip() > 0) {
            b.residualPostProcessor(new ResidualClippingPostProcessor(sharing.residualClip(), 5));
        }
        return b.build();
    }
}
