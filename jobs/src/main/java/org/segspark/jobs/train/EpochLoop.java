package org.segspark.jobs.train;

import org.apache.hadoop.conf.Configuration;
import org.apache.spark.api.java.JavaSparkContext;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.segspark.core.Task;
import org.segspark.core.io.SerializableConf;
import org.segspark.core.shards.ShardManifest;
import org.segspark.core.shards.ShardSet;
import org.segspark.core.text.Figures;
import org.segspark.jobs.data.Augmentation;
import org.segspark.jobs.data.BatchLoader;
import org.segspark.jobs.data.BatchPlan;
import org.segspark.jobs.data.InputNormalizer;
import org.segspark.jobs.data.ShardBatchLoader;
import org.segspark.jobs.data.Targets;
import org.segspark.jobs.eval.ConfusionMatrix;
import org.segspark.jobs.eval.Evaluation;
import org.segspark.jobs.progress.ProgressLine;
import org.segspark.jobs.records.EpochMetrics;
import org.segspark.jobs.records.EpochTiming;
import org.segspark.jobs.run.ResumePoint;
import org.segspark.jobs.train.fit.EpochPlan;
import org.segspark.jobs.train.fit.Fit;
import org.segspark.jobs.train.fit.StepAccumulator;
import org.segspark.models.ModelConfig;
import org.segspark.models.ModelSpec;
import org.segspark.models.layers.NativeSpeed;
import org.segspark.models.registry.ModelRegistry;
import org.segspark.models.weights.BatchNormStatistics;

import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;

/**
 * The epochs of a run. Every epoch the training row groups are shuffled with the seed and the
 * epoch, trained on by the run's {@link Fit} strategy, batch-norm statistics re-estimated, the
 * network evaluated on the validation split (and a training sample), logged, handed to the hook
 * (which checkpoints) and early stopping consulted. How an epoch is trained is the strategy's
 * business alone.
 */
public final class EpochLoop {
    private final TrainConfig cfg;
    private final Configuration hconf;
    private final Fit fit;
    private final NetworkFactory networks;
    private final PrintStream console;
    private final ProgressLine progress;
    private final JavaSparkContext jsc;

    /** @param progress the line the fit reports its steps on; it learns from here how long the epochs after take */
    EpochLoop(TrainConfig cfg, Configuration hconf, Fit fit, PrintStream console, ProgressLine progress,
              JavaSparkContext jsc) {
        this.progress = progress;
        this.jsc = jsc;
        this.cfg = cfg;
        this.hconf = hconf;
        this.fit = fit;
        this.networks = new NetworkFactory(cfg, hconf, console);
        this.console = console;
    }

    /** The trained network and what the run measured. */
    public record Outcome(ComputationGraph net, ShardSet shards, List<EpochMetrics> history,
                          Evaluation.Result lastEvaluation, int workers, ModelConfig modelConfig) {
    }

    /** Called after every epoch with the network as it stands, to checkpoint and log. */
    public interface EpochHook {
        void after(ComputationGraph net, EpochMetrics metrics, EpochTiming timing) throws IOException;
    }

    /** The validation split: its row groups and examples. */
    private record Validation(List<String> refs, long examples) {
    }

    /** Trains from scratch, or on from {@code resume} (null: a new run). */
    Outcome run(EpochHook hook, ResumePoint resume) throws IOException {
        ShardSet shards = ShardSet.open(cfg.data(), hconf);
        ShardManifest m = shards.manifest();
        ModelSpec spec = ModelRegistry.get(cfg.model());
        networks.checkTask(spec, m);
        NetworkFactory.checkDevice(cfg.device());
        List<ShardSet.RowGroup> trainGroups = shards.rowGroups("train");
        Validation val = validation(m);
        if (trainGroups.isEmpty()) {
            throw new IllegalArgumentException("the shard set " + cfg.data() + " has no training examples");
        }
        ModelConfig modelConfig = networks.modelConfig(spec, m);
        // a resumed network has its learning rate and class weights in its configuration
        ComputationGraph net = resume != null ? resume.net()
                : networks.build(modelConfig, m, fit.learningRateFactor(), fit.mode(), fit.workers());
        Targets targets = Targets.of(spec.task(), modelConfig, net.getConfiguration());
        SerializableConf sconf = new SerializableConf(hconf);
        InputNormalizer normalizer = InputNormalizer.of(cfg.normalization(), m.tensor().channels(),
                m.normalization() == null ? null : m.normalization().mean(),
                m.normalization() == null ? null : m.normalization().std());
        long trainExamples = m.split("train").examples();
        List<String> trainSample = BatchPlan.sample(trainGroups, cfg.evalTrainExamples(), cfg.seed());
        // training-size batches, so the batch statistics are the ones training normalises with
        List<String> bnSample = BatchPlan.plan(BatchPlan.sampleGroups(trainGroups, cfg.bnRecomputeExamples(), cfg.seed() + 1),
                cfg.batch(), cfg.seed() + 1);
        console.printf(Locale.ROOT, "training %s (%s, %d classes, %dx%d) on %d train / %d val images, mode %s, %d worker%s; %s%n",
                cfg.model(), spec.task().id(), modelConfig.classes(), m.tensor().height(), m.tensor().width(), trainExamples,
                val.examples(), fit.mode(), fit.workers(), fit.workers() == 1 ? "" : "s", NativeSpeed.describe());

        DecoderTraining decoder = null;
        if (cfg.featureCache() != null) {
            ShardBatchLoader plain = new ShardBatchLoader(targets, normalizer, null, sconf, fit.threadsPerTask());
            DecoderTraining.Start start = DecoderTraining.start(net, cfg, hconf,
                    cfg.mode() == TrainConfig.Mode.LOCAL ? null : jsc, fit.workers(), shards, trainGroups, plain,
                    n -> recomputeBatchNorm(n, bnSample, plain, sconf), console);
            net = start.net();
            decoder = start.training();
        }
        fit.start(decoder == null ? net : decoder.decoder());
        List<EpochMetrics> history = new ArrayList<>(resume == null ? List.of() : resume.history());
        if (resume != null) {
            console.printf(Locale.ROOT, "resuming after epoch %d of %d%n", resume.epochsDone(), cfg.epochs());
        }
        Evaluation.Result eval = null;
        List<Double> epochSeconds = new ArrayList<>();
        ShardBatchLoader evalLoader = new ShardBatchLoader(targets, normalizer, null, sconf, fit.threadsPerTask(),
                Augmentation.NONE, cfg.rowCacheBytes());
        for (int epoch = history.size() + 1; epoch <= cfg.epochs(); epoch++) {
            long epochSeed = cfg.seed() * 1_000_003L + epoch;
            // learning-rate schedules read the network's epoch count; workers get it with the network
            net.getConfiguration().setEpochCount(epoch - 1);
            List<String> order = BatchPlan.plan(trainGroups, cfg.batch(), epochSeed);
            ShardBatchLoader shardLoader = new ShardBatchLoader(targets, normalizer, epochSeed, sconf,
                    fit.threadsPerTask(), cfg.augmentation(), cfg.rowCacheBytes());
            BatchLoader loader = decoder == null ? shardLoader : decoder.loader(shardLoader, sconf);
            ComputationGraph training = decoder == null ? net : decoder.beforeEpoch(net);
            long t0 = System.nanoTime();
            // the run's ETA: the epochs after this one at the mean duration (training and evaluation) so far
            progress.runAhead(cfg.epochs() - epoch, epochSeconds.isEmpty() ? Double.NaN
                    : epochSeconds.stream().mapToDouble(Double::doubleValue).average().orElseThrow());
            Fit.Epoch trained = fit.fit(training, new EpochPlan(epoch, cfg.epochs(), order, loader, epochSeed, sconf));
            if (decoder == null) {
                net = trained.net();
            } else {
                decoder.afterEpoch(trained.net(), net);
            }
            double trainSeconds = (System.nanoTime() - t0) / 1e9;
            StepAccumulator.Steps st = trained.steps();
            double trainLoss = st.meanLoss() / targets.lossPositions();
            EpochTiming timing = new EpochTiming(epoch, fit.mode(), fit.workers(), trainSeconds, st.minibatches(),
                    st.timedSteps(), st.computeSeconds(), st.updateSeconds(), trained.dl4j(), trained.sharing());

            long t1 = System.nanoTime();
            console.printf(Locale.ROOT, "epoch %d/%d: trained in %s; %svalidation on %s images%s%n", epoch, cfg.epochs(),
                    Figures.duration(trainSeconds), bnSample.isEmpty() ? ""
                            : "batch-norm statistics from " + Figures.count(cfg.bnRecomputeExamples()) + " examples, then ",
                    Figures.count(val.examples()), trainSample.isEmpty() ? "" : " and a training sample");
            recomputeBatchNorm(net, bnSample, evalLoader, sconf);
            eval = fit.evaluator().evaluate(net, val.refs(), evalLoader, cfg.evalBatch(), cfg.reportSamples(), sconf);
            Evaluation.Result onTrain = trainSample.isEmpty() ? null
                    : fit.evaluator().evaluate(net, trainSample, evalLoader, cfg.evalBatch(), 0, sconf);
            double evalSeconds = (System.nanoTime() - t1) / 1e9;
            EpochMetrics em = metrics(spec.task(), epoch, trainLoss, eval.meanLoss(), eval, onTrain,
                    trainSeconds, evalSeconds, trainExamples);
            history.add(em);
            epochSeconds.add((System.nanoTime() - t0) / 1e9);
            console.println(EpochLines.describe(em, cfg.epochs(), spec.task()));
            console.println(EpochLines.describe(timing));
            trained.notes().forEach(console::println);
            hook.after(net, em, timing);
            int bestEpoch = EpochMetrics.bestEpoch(history, spec.task(), cfg.minDelta());
            if (cfg.patience() > 0 && epoch - bestEpoch >= cfg.patience() && epoch < cfg.epochs()) {
                console.printf(Locale.ROOT, "early stopping after epoch %d: no validation gain of %s for %d epochs "
                        + "(best: epoch %d)%n", epoch, cfg.minDelta(), cfg.patience(), bestEpoch);
                break;
            }
        }
        if (eval == null) {
            // resumed after its last epoch: the checkpoint's network (batch-norm statistics included) is evaluated again
            eval = fit.evaluator().evaluate(net, val.refs(), evalLoader, cfg.evalBatch(), cfg.reportSamples(), sconf);
        }
        return new Outcome(net, shards, history, eval, fit.workers(), modelConfig);
    }

    /** Row group refs of the validation split: the data's own, or val-data's (same tensor size and classes). */
    private Validation validation(ShardManifest m) throws IOException {
        if (cfg.valData() == null) {
            return new Validation(ShardSet.open(cfg.data(), hconf).rowGroupRefs("val"), m.split("val").examples());
        }
        ShardSet val = ShardSet.open(cfg.valData(), hconf);
        ShardManifest v = val.manifest();
        if (!v.task().equals(m.task()) || v.tensor().height() != m.tensor().height()
                || v.tensor().width() != m.tensor().width() || v.tensor().channels() != m.tensor().channels()
                || !v.classes().equals(m.classes())) {
            throw new IllegalArgumentException("val-data " + cfg.valData() + " (" + v.task() + ", " + tensor(v)
                    + ", classes " + v.classes() + ") does not match data " + cfg.data() + " (" + m.task() + ", "
                    + tensor(m) + ", classes " + m.classes() + ")");
        }
        long examples = v.split("val").examples();
        if (examples == 0) {
            throw new IllegalArgumentException("val-data " + cfg.valData() + " has no val split examples");
        }
        return new Validation(val.rowGroupRefs("val"), examples);
    }

    /**
     * Running statistics from the current weights (see {@link BatchNormStatistics}); in parameter
     * averaging the driver's network is what the next epoch broadcasts, so training continues from them.
     */
    private static void recomputeBatchNorm(ComputationGraph net, List<String> refs, ShardBatchLoader loader,
                                           SerializableConf sconf) {
        if (refs.isEmpty()) {
            return;
        }
        Iterator<INDArray[]> batches = refs.stream().map(ref -> {
            try {
                return loader.load(ref, sconf.get()).getFeatures();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }).iterator();
        BatchNormStatistics.recompute(net, batches, refs.size());
    }

    static EpochMetrics metrics(Task task, int epoch, double trainLoss, double valLoss, Evaluation.Result eval,
                                Evaluation.Result onTrain, double trainSeconds, double evalSeconds, long trainExamples) {
        ConfusionMatrix cm = eval.confusion();
        ConfusionMatrix tm = onTrain == null ? null : onTrain.confusion();
        boolean seg = task == Task.SEGMENTATION;
        return new EpochMetrics(epoch, EpochMetrics.finite(trainLoss), EpochMetrics.finite(valLoss),
                seg ? EpochMetrics.finite(cm.meanIou()) : null, seg ? EpochMetrics.finite(cm.accuracy()) : null,
                seg ? null : EpochMetrics.finite(cm.accuracy()), seg ? EpochMetrics.finite(cm.iou()) : null,
                seg && tm != null ? EpochMetrics.finite(tm.meanIou()) : null,
                !seg && tm != null ? EpochMetrics.finite(tm.accuracy()) : null,
                trainSeconds, evalSeconds, trainExamples, trainExamples / Math.max(trainSeconds, 1e-9));
    }

    /** A shard set's tensor as "HxWxC". */
    static String tensor(ShardManifest m) {
        return m.tensor().height() + "x" + m.tensor().width() + "x" + m.tensor().channels();
    }
}
