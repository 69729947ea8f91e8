package org.segspark.jobs.train;

import org.apache.hadoop.conf.Configuration;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.deeplearning4j.datasets.iterator.IteratorMultiDataSetIterator;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.spark.impl.graph.SparkComputationGraph;
import org.deeplearning4j.spark.impl.paramavg.ParameterAveragingTrainingMaster;
import org.nd4j.linalg.dataset.api.MultiDataSet;
import org.nd4j.linalg.dataset.api.iterator.MultiDataSetIterator;
import org.nd4j.linalg.learning.config.Adam;
import org.nd4j.linalg.learning.config.IUpdater;
import org.nd4j.linalg.learning.config.Nesterovs;
import org.segspark.jobs.progress.ProgressLine;
import org.segspark.jobs.progress.TaskProgress;
import org.segspark.models.ModelConfig;
import org.segspark.models.ModelRegistry;
import org.segspark.models.ModelSpec;
import org.segspark.models.NativeSpeed;
import org.segspark.models.Task;
import org.segspark.preprocess.io.SerializableConf;
import org.segspark.preprocess.shards.ShardManifest;
import org.segspark.preprocess.shards.ShardSet;

import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;

/**
 * The training loop. Every epoch the training row groups are shuffled with the seed and the
 * epoch, trained on (Spark executors loading their own row groups, or this process in local
 * mode), evaluated on the validation split, logged, and checkpointed.
 */
public final class Trainer {
    private final JavaSparkContext jsc;
    private final TrainConfig cfg;
    private final PrintStream console;
    private final ProgressLine progress;

    public Trainer(JavaSparkContext jsc, TrainConfig cfg, PrintStream console, ProgressLine progress) {
        this.jsc = jsc;
        this.cfg = cfg;
        this.console = console;
        this.progress = progress;
    }

    /** The trained network and what the run measured. */
    public record Outcome(ComputationGraph net, ShardSet shards, List<EpochMetrics> history,
                          Evaluation.Result lastEvaluation, int workers) {
    }

    /** Called after every epoch with the network as it stands, to checkpoint and log. */
    public interface EpochHook {
        void after(ComputationGraph net, EpochMetrics metrics, Evaluation.Result evaluation) throws IOException;
    }

    public Outcome run(EpochHook hook) throws IOException {
        Configuration hconf = jsc.hadoopConfiguration();
        ShardSet shards = ShardSet.open(cfg.data(), hconf);
        ShardManifest m = shards.manifest();
        ModelSpec spec = ModelRegistry.get(cfg.model());
        if (!spec.task().id().equals(m.task())) {
            throw new IllegalArgumentException("model " + cfg.model() + " is for " + spec.task().id() + " but the shards at "
                    + cfg.data() + " are for " + m.task());
        }
        List<ShardSet.RowGroup> trainGroups = shards.rowGroups("train");
        List<String> valRefs = shards.rowGroupRefs("val");
        if (trainGroups.isEmpty()) {
            throw new IllegalArgumentException("the shard set " + cfg.data() + " has no training examples");
        }
        int classes = m.numClasses();
        ComputationGraph net = ModelRegistry.build(cfg.model(), modelConfig(spec, m), base());
        SerializableConf sconf = new SerializableConf(hconf);
        InputNormalizer normalizer = InputNormalizer.of(cfg.normalization(),
                m.normalization() == null ? null : m.normalization().mean(),
                m.normalization() == null ? null : m.normalization().std());
        ScoreAccumulator scores = new ScoreAccumulator(jsc.sc().doubleAccumulator("train loss sum"),
                jsc.sc().longAccumulator("train minibatches"));
        long trainExamples = m.split("train").examples();
        // Spark gives each task spark.task.cpus cores; ops get as many threads (local mode keeps all).
        int threadsPerTask = cfg.mode() == TrainConfig.Mode.LOCAL ? 0
                : cfg.threadsPerTask() > 0 ? cfg.threadsPerTask() : jsc.getConf().getInt("spark.task.cpus", 1);
        int workers = cfg.workers() > 0 ? cfg.workers() : jsc.defaultParallelism();
        console.printf(Locale.ROOT, "training %s (%d classes, %dx%d) on %d train / %d val images, mode %s, %d worker%s; %s%n",
                cfg.model(), classes, m.tensor().height(), m.tensor().width(), trainExamples, m.split("val").examples(),
                cfg.mode().id(), cfg.mode() == TrainConfig.Mode.LOCAL ? 1 : workers,
                cfg.mode() == TrainConfig.Mode.LOCAL || workers == 1 ? "" : "s", NativeSpeed.describe());

        SparkComputationGraph sparkNet = null;
        if (cfg.mode() == TrainConfig.Mode.PARAMETER_AVERAGING) {
            ParameterAveragingTrainingMaster tm = new ParameterAveragingTrainingMaster.Builder(workers, cfg.batch())
                    .batchSizePerWorker(cfg.batch())
                    .averagingFrequency(cfg.averagingFrequency())
                    .workerPrefetchNumBatches(cfg.prefetch())
                    .saveUpdater(true)
                    .rngSeed(cfg.seed())
                    .build();
            sparkNet = new SparkComputationGraph(jsc, net, tm);
            sparkNet.setListeners(scores);
        } else {
            net.setListeners(scores);
        }

        List<EpochMetrics> history = new ArrayList<>();
        Evaluation.Result eval = null;
        for (int epoch = 1; epoch <= cfg.epochs(); epoch++) {
            long epochSeed = cfg.seed() * 1_000_003L + epoch;
            List<String> order = BatchPlan.plan(trainGroups, cfg.batch(), epochSeed);
            ShardBatchLoader loader = new ShardBatchLoader(classes, normalizer, epochSeed, sconf, threadsPerTask);
            long t0 = System.nanoTime();
            if (sparkNet != null) {
                long perSplit = (long) cfg.averagingFrequency() * workers;
                long splits = (order.size() + perSplit - 1) / perSplit;
                String label = String.format(Locale.ROOT, "epoch %d/%d train", epoch, cfg.epochs());
                try (TaskProgress p = TaskProgress.start(jsc.sc(), "segspark-train-" + epoch, label, progress,
                        splits * workers, "treeAggregate at ParameterAveragingTrainingMaster")) {
                    JavaRDD<String> paths = jsc.parallelize(order, workers);
                    sparkNet.fitPaths(paths, loader);
                }
                net = sparkNet.getNetwork();
            } else {
                fitLocally(net, order, loader, sconf, epoch);
            }
            double trainSeconds = (System.nanoTime() - t0) / 1e9;
            double trainLoss = scores.takeMean() * lossScale(m);

            long t1 = System.nanoTime();
            ShardBatchLoader evalLoader = new ShardBatchLoader(classes, normalizer, null, sconf, threadsPerTask);
            if (cfg.mode() == TrainConfig.Mode.LOCAL) {
                eval = Evaluation.inProcess(net, valRefs, evalLoader, classes, cfg.evalBatch(), cfg.reportSamples(), sconf);
            } else {
                eval = Evaluation.onSpark(jsc, net, valRefs, evalLoader, classes, cfg.evalBatch(), cfg.reportSamples(), sconf);
            }
            double evalSeconds = (System.nanoTime() - t1) / 1e9;
            EpochMetrics em = metrics(spec.task(), epoch, trainLoss, eval.meanLoss() * lossScale(m), eval, trainSeconds,
                    evalSeconds, trainExamples);
            history.add(em);
            console.println(describe(em, cfg.epochs(), spec.task()));
            hook.after(net, em, eval);
        }
        return new Outcome(net, shards, history, eval, cfg.mode() == TrainConfig.Mode.LOCAL ? 1 : workers);
    }

    private void fitLocally(ComputationGraph net, List<String> order, ShardBatchLoader loader, SerializableConf sconf,
                            int epoch) {
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
                    return loader.load(order.get(next++), sconf.get());
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            }
        };
        progress.start(String.format(Locale.ROOT, "epoch %d/%d train", epoch, cfg.epochs()), order.size(), "batches");
        MultiDataSetIterator it = new IteratorMultiDataSetIterator(groups, cfg.batch());
        if (cfg.prefetch() > 0) {
            it = new org.deeplearning4j.datasets.iterator.AsyncMultiDataSetIterator(it, cfg.prefetch());
        }
        net.fit(it);
        progress.update(order.size());
    }

    static EpochMetrics metrics(Task task, int epoch, double trainLoss, double valLoss, Evaluation.Result eval,
                                double trainSeconds, double evalSeconds, long trainExamples) {
        ConfusionMatrix cm = eval.confusion();
        boolean seg = task == Task.SEGMENTATION;
        return new EpochMetrics(epoch, EpochMetrics.finite(trainLoss), EpochMetrics.finite(valLoss),
                seg ? EpochMetrics.finite(cm.meanIou()) : null, seg ? EpochMetrics.finite(cm.accuracy()) : null,
                seg ? null : EpochMetrics.finite(cm.accuracy()), seg ? EpochMetrics.finite(cm.iou()) : null,
                trainSeconds, evalSeconds, trainExamples, trainExamples / Math.max(trainSeconds, 1e-9));
    }

    static String describe(EpochMetrics e, int epochs, Task task) {
        String metric = task == Task.SEGMENTATION
                ? String.format(Locale.ROOT, "mIoU %s  pixel_acc %s", f(e.miou()), f(e.pixelAccuracy()))
                : String.format(Locale.ROOT, "top1 %s", f(e.top1()));
        return String.format(Locale.ROOT, "epoch %d/%d  train_loss %s  val_loss %s  %s  %.1f s  %.1f img/s",
                e.epoch(), epochs, f(e.trainLoss()), f(e.valLoss()), metric, e.trainSeconds(), e.imagesPerSecond());
    }

    private static String f(Double d) {
        return d == null ? "n/a" : String.format(Locale.ROOT, "%.4f", d);
    }

    /**
     * DL4J's score is the loss summed over an example's outputs; segspark reports it per pixel
     * for segmentation (mean cross-entropy per pixel position) and per image for classification.
     */
    static double lossScale(ShardManifest m) {
        return ShardManifest.SEGMENTATION.equals(m.task()) ? 1.0 / (m.tensor().height() * (double) m.tensor().width()) : 1.0;
    }

    ModelConfig modelConfig(ModelSpec spec, ShardManifest m) {
        return new ModelConfig(m.numClasses(), m.tensor().height(), m.tensor().width(), cfg.widthMultiplier(), cfg.seed());
    }

    NeuralNetConfiguration.Builder base() {
        IUpdater updater = cfg.optimizer().name().equals("sgd")
                ? new Nesterovs(cfg.optimizer().lr(), 0.9)
                : new Adam(cfg.optimizer().lr());
        NeuralNetConfiguration.Builder b = ModelRegistry.defaultBase(cfg.seed()).updater(updater);
        if (cfg.optimizer().weightDecay() > 0) {
            b.l2(cfg.optimizer().weightDecay());
        }
        return b;
    }
}
