package org.segspark.jobs.train;

import org.apache.hadoop.conf.Configuration;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.deeplearning4j.datasets.iterator.IteratorMultiDataSetIterator;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.spark.impl.graph.SparkComputationGraph;
import org.deeplearning4j.spark.impl.paramavg.ParameterAveragingTrainingMaster;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.api.MultiDataSet;
import org.nd4j.linalg.dataset.api.iterator.MultiDataSetIterator;
import org.nd4j.linalg.learning.config.Adam;
import org.nd4j.linalg.learning.config.IUpdater;
import org.nd4j.linalg.learning.config.Nesterovs;
import org.segspark.jobs.progress.ProgressLine;
import org.segspark.jobs.progress.TaskProgress;
import org.segspark.jobs.spark.Sparks;
import org.segspark.jobs.train.sharing.SharedEpoch;
import org.segspark.models.weights.BatchNormStatistics;
import org.segspark.models.weights.ClassWeightedLoss;
import org.segspark.models.weights.KerasWeights;
import org.segspark.models.ModelConfig;
import org.segspark.models.registry.ModelRegistry;
import org.segspark.models.ModelSpec;
import org.segspark.models.layers.NativeSpeed;
import org.segspark.core.Task;
import org.segspark.core.io.SerializableConf;
import org.segspark.core.shards.ShardManifest;
import org.segspark.core.shards.ShardSet;

import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.time.Duration;
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
    private final Configuration hconf;
    private final TrainConfig cfg;
    private final PrintStream console;
    private final ProgressLine progress;
    private long valExamples;

    public Trainer(JavaSparkContext jsc, TrainConfig cfg, PrintStream console, ProgressLine progress) {
        this(jsc, jsc.hadoopConfiguration(), cfg, console, progress);
    }

    /**
     * Without a Spark context ({@code jsc} null), for local mode inside a Spark task (a sweep's
     * trial-parallel trials): files through {@code hconf}, training and evaluation in this process.
     */
    public Trainer(JavaSparkContext jsc, Configuration hconf, TrainConfig cfg, PrintStream console, ProgressLine progress) {
        if (jsc == null && cfg.mode() != TrainConfig.Mode.LOCAL) {
            throw new IllegalArgumentException("mode " + cfg.mode().id() + " needs a Spark context; only local mode trains without");
        }
        this.jsc = jsc;
        this.hconf = hconf;
        this.cfg = cfg;
        this.console = console;
        this.progress = progress;
    }

    /** The trained network and what the run measured. */
    public record Outcome(ComputationGraph net, ShardSet shards, List<EpochMetrics> history,
                          Evaluation.Result lastEvaluation, int workers, ModelConfig modelConfig) {
    }

    /** Called after every epoch with the network as it stands, to checkpoint and log. */
    public interface EpochHook {
        void after(ComputationGraph net, EpochMetrics metrics, Evaluation.Result evaluation, EpochTiming timing)
                throws IOException;
    }

    /**
     * Where an interrupted run stands: its network from the last epoch checkpoint (with updater
     * state) and the epochs behind it. Epoch shuffles, flips and samples derive from the seed and
     * the epoch number alone, so the remaining epochs see what they would have seen.
     */
    public record Resume(ComputationGraph net, List<EpochMetrics> history) {
        public int epochsDone() {
            return history.size();
        }
    }

    public Outcome run(EpochHook hook) throws IOException {
        return run(hook, null);
    }

    public Outcome run(EpochHook hook, Resume resume) throws IOException {
        ShardSet shards = ShardSet.open(cfg.data(), hconf);
        ShardManifest m = shards.manifest();
        ModelSpec spec = ModelRegistry.get(cfg.model());
        checkTask(spec, m);
        checkDevice(cfg.device());
        List<ShardSet.RowGroup> trainGroups = shards.rowGroups("train");
        List<String> valRefs = validationRefs(m, hconf);
        if (trainGroups.isEmpty()) {
            throw new IllegalArgumentException("the shard set " + cfg.data() + " has no training examples");
        }
        ModelConfig modelConfig = modelConfig(spec, m);
        int workers = cfg.workers() > 0 ? cfg.workers() : jsc == null ? 1 : awaitTaskSlots(jsc);
        double lrFactor = cfg.mode() == TrainConfig.Mode.PARAMETER_AVERAGING ? cfg.optimizer().lrFactor(workers) : 1.0;
        if (lrFactor != 1.0 && resume == null) {
            console.printf(Locale.ROOT, "learning rate %s x %.3f = %s (optimizer.lr-scaling %s, parameter averaging over "
                            + "%d workers)%n", cfg.optimizer().lr(), lrFactor, cfg.optimizer().lr() * lrFactor,
                    cfg.optimizer().lrScaling(), workers);
        }
        ComputationGraph net = resume != null ? resume.net()
                : ModelRegistry.build(cfg.model(), modelConfig, base(lrFactor));
        if (resume == null && cfg.modelOptions().pretrained() != null) {
            loadPretrained(net, cfg.modelOptions().pretrained(), hconf);
        }
        if (resume == null && cfg.modelOptions().initFrom() != null) {
            initFrom(net, cfg.modelOptions().initFrom(), hconf);
        }
        Targets targets = Targets.of(spec.task(), modelConfig, net.getConfiguration());
        int classes = modelConfig.classes();
        double[] classWeights = cfg.classWeights().resolve(m, classes);
        if (classWeights != null && resume == null) {     // a resumed network has them in its configuration
            ClassWeightedLoss.apply(net, classWeights);
            console.printf(Locale.ROOT, "class weights (%s): %s%n", cfg.classWeights().mode(), weightsText(classWeights));
        }
        SerializableConf sconf = new SerializableConf(hconf);
        InputNormalizer normalizer = InputNormalizer.of(cfg.normalization(),
                m.normalization() == null ? null : m.normalization().mean(),
                m.normalization() == null ? null : m.normalization().std());
        boolean dl4jSharing = cfg.dl4jSharing();
        boolean syncSharing = cfg.mode() == TrainConfig.Mode.GRADIENT_SHARING && !dl4jSharing;
        StepAccumulator steps = new StepAccumulator(jsc == null ? null : jsc.sc(), dl4jSharing);
        long trainExamples = m.split("train").examples();
        List<String> trainSample = trainSample(trainGroups, cfg.evalTrainExamples(), cfg.seed());
        // training-size batches, so the batch statistics are the ones training normalises with
        List<String> bnSample = BatchPlan.plan(sampleGroups(trainGroups, cfg.bnRecomputeExamples(), cfg.seed() + 1),
                cfg.batch(), cfg.seed() + 1);
        int threadsPerTask = threadsPerTask();
        int trainingWorkers = cfg.mode() == TrainConfig.Mode.LOCAL ? 1 : workers;
        console.printf(Locale.ROOT, "training %s (%s, %d classes, %dx%d) on %d train / %d val images, mode %s, %d worker%s; %s%n",
                cfg.model(), spec.task().id(), classes, m.tensor().height(), m.tensor().width(), trainExamples,
                valExamples, cfg.mode().id(), trainingWorkers,
                cfg.mode() == TrainConfig.Mode.LOCAL || workers == 1 ? "" : "s", NativeSpeed.describe());

        SparkComputationGraph sparkNet = null;
        if (dl4jSharing) {
            org.segspark.jobs.cluster.AeronDirs.removeStale();     // left by earlier runs' JVMs
            sparkNet = new SparkComputationGraph(jsc, net, sharedTrainingMaster(workers));
            sparkNet.setListeners(steps);
        } else {
            net.setListeners(steps);
        }

        List<EpochMetrics> history = new ArrayList<>(resume == null ? List.of() : resume.history());
        // the workers keep their networks between epochs under this key (segspark's gradient sharing)
        String sharingRun = java.util.UUID.randomUUID().toString();
        Evaluation.Result eval = null;
        if (resume != null) {
            console.printf(Locale.ROOT, "resuming after epoch %d of %d%n", resume.epochsDone(), cfg.epochs());
        }
        for (int epoch = history.size() + 1; epoch <= cfg.epochs(); epoch++) {
            long epochSeed = cfg.seed() * 1_000_003L + epoch;
            // learning-rate schedules read the network's epoch count; workers get it with the network
            net.getConfiguration().setEpochCount(epoch - 1);
            if (cfg.mode() == TrainConfig.Mode.PARAMETER_AVERAGING) {
                // a master per epoch, seeded by the epoch: its random split of the minibatches into
                // averaging rounds then depends on the epoch alone, so a resumed run repeats it
                sparkNet = new SparkComputationGraph(jsc, net, averagingMaster(workers, epochSeed));
                sparkNet.setListeners(steps);
                sparkNet.setCollectTrainingStats(true);
            }
            List<String> order = BatchPlan.plan(trainGroups, cfg.batch(), epochSeed);
            ShardBatchLoader loader = new ShardBatchLoader(targets, normalizer, epochSeed, sconf, threadsPerTask, cfg.flip());
            long t0 = System.nanoTime();
            SharedEpoch.Result shared = null;
            if (syncSharing) {
                String label = String.format(Locale.ROOT, "epoch %d/%d train", epoch, cfg.epochs());
                try (TaskProgress p = TaskProgress.start(jsc.sc(), "segspark-train-" + epoch, label, progress, workers)) {
                    shared = SharedEpoch.fit(jsc, net, order, loader, sconf, workers, steps, cfg.gradientSharing(),
                            cfg.prefetch(), sharingRun, epoch);
                }
            } else if (sparkNet != null) {
                long perSplit = (long) cfg.averagingFrequency() * workers;
                long splits = (order.size() + perSplit - 1) / perSplit;
                String label = String.format(Locale.ROOT, "epoch %d/%d train", epoch, cfg.epochs());
                boolean averaging = cfg.mode() == TrainConfig.Mode.PARAMETER_AVERAGING;
                // gradient sharing runs one long task per worker over all of its minibatches
                try (TaskProgress p = TaskProgress.start(jsc.sc(), "segspark-train-" + epoch, label, progress,
                        averaging ? splits * workers : workers,
                        averaging ? "treeAggregate at ParameterAveragingTrainingMaster" : "treeAggregate at SharedTrainingMaster")) {
                    JavaRDD<String> paths = jsc.parallelize(order, workers);
                    sparkNet.fitPaths(paths, loader);
                }
                net = sparkNet.getNetwork();
            } else {
                fitLocally(net, order, loader, sconf, epoch);
            }
            double trainSeconds = (System.nanoTime() - t0) / 1e9;
            StepAccumulator.Steps st = steps.takeEpoch();
            double trainLoss = st.meanLoss() * lossScale(m);
            var dl4jStats = cfg.mode() == TrainConfig.Mode.PARAMETER_AVERAGING ? sparkNet.getSparkTrainingStats() : null;
            EpochTiming timing = new EpochTiming(epoch, cfg.mode().id(), trainingWorkers,
                    trainSeconds, st.minibatches(), st.timedSteps(), st.computeSeconds(), st.updateSeconds(),
                    dl4jStats != null ? TrainingStats.summarize(dl4jStats) : java.util.Map.of(),
                    shared == null ? null : sharingFigures(shared));

            long t1 = System.nanoTime();
            ShardBatchLoader evalLoader = new ShardBatchLoader(targets, normalizer, null, sconf, threadsPerTask);
            recomputeBatchNorm(net, bnSample, evalLoader, sconf);
            eval = evaluate(net, valRefs, evalLoader, cfg.reportSamples(), sconf);
            Evaluation.Result onTrain = trainSample.isEmpty() ? null : evaluate(net, trainSample, evalLoader, 0, sconf);
            double evalSeconds = (System.nanoTime() - t1) / 1e9;
            EpochMetrics em = metrics(spec.task(), epoch, trainLoss, eval.meanLoss() * lossScale(m), eval, onTrain,
                    trainSeconds, evalSeconds, trainExamples);
            history.add(em);
            console.println(describe(em, cfg.epochs(), spec.task()));
            console.println(describe(timing));
            if (shared != null) {
                console.println(describe(shared, workers));
            }
            hook.after(net, em, eval, timing);
            int bestEpoch = bestEpoch(history, spec.task(), cfg.earlyStopping().minDelta());
            if (cfg.earlyStopping().patience() > 0 && epoch - bestEpoch >= cfg.earlyStopping().patience()
                    && epoch < cfg.epochs()) {
                console.printf(Locale.ROOT, "early stopping after epoch %d: no validation gain of %s for %d epochs "
                                + "(best: epoch %d)%n", epoch, cfg.earlyStopping().minDelta(),
                        cfg.earlyStopping().patience(), bestEpoch);
                break;
            }
        }
        return new Outcome(net, shards, history, eval, trainingWorkers, modelConfig);
    }

    /** Every task slot the job asked for, once its executors registered (a minute at most). */
    private static int awaitTaskSlots(JavaSparkContext jsc) {
        try {
            return Sparks.awaitTaskSlots(jsc, Duration.ofMinutes(1));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while waiting for the executors", e);
        }
    }

    static java.util.Map<String, Object> sharingFigures(SharedEpoch.Result r) {
        java.util.Map<String, Object> m = new java.util.LinkedHashMap<>();
        m.put("steps_per_worker", r.stepsPerWorker());
        m.put("minibatches_left_out", r.dropped());
        m.put("bytes_per_step", r.bytesPerStep());
        m.put("exchange_seconds", r.exchangeSeconds());
        m.put("packing_seconds", r.packingSeconds());
        m.put("conversion_seconds", r.conversionSeconds());
        m.put("workers_agree", r.agree());
        m.put("max_parameter_difference", r.maxDifference());
        return m;
    }

    static String describe(SharedEpoch.Result r, int workers) {
        return String.format(Locale.ROOT, "          gradient sharing: %d workers x %d steps%s; %s sent per step by each worker, "
                        + "%.1f s exchanging (all workers); workers %s", workers, r.stepsPerWorker(),
                r.dropped() == 0 ? "" : " (" + r.dropped() + " minibatches left out to keep the workers in step)",
                r.bytesPerStep() >= 1e6 ? String.format(Locale.ROOT, "%.1f MB", r.bytesPerStep() / 1e6)
                        : String.format(Locale.ROOT, "%.1f KB", r.bytesPerStep() / 1e3), r.exchangeSeconds(),
                r.agree() ? "agree bit for bit" : String.format(Locale.ROOT, "differ by up to %.3g", r.maxDifference()));
    }

    /** The validation figure early stopping and the best checkpoint follow: mIoU, or top-1. */
    static Double headline(EpochMetrics m, Task task) {
        return task == Task.SEGMENTATION ? m.miou() : m.top1();
    }

    /**
     * The epoch (1-based) whose validation figure last rose by at least {@code minDelta} over the
     * best before it; epochs without a figure never count as gains.
     */
    static int bestEpoch(List<EpochMetrics> history, Task task, double minDelta) {
        double best = Double.NEGATIVE_INFINITY;
        int epoch = 0;
        for (EpochMetrics m : history) {
            Double v = headline(m, task);
            if (epoch == 0 || (v != null && v > best + minDelta)) {
                best = v == null ? Double.NEGATIVE_INFINITY : v;
                epoch = m.epoch();
            }
        }
        return epoch;
    }

    private ParameterAveragingTrainingMaster averagingMaster(int workers, long seed) {
        return new ParameterAveragingTrainingMaster.Builder(workers, cfg.batch())
                .batchSizePerWorker(cfg.batch())
                .averagingFrequency(cfg.averagingFrequency())
                .workerPrefetchNumBatches(cfg.prefetch())
                .saveUpdater(true)
                .rngSeed(seed)
                .build();
    }

    /**
     * DL4J's SharedTrainingMaster. Each element of the paths RDD is one minibatch (a row-group
     * list), hence rddDataSetNumExamples = batch; Direct, as Export needs a shared file system.
     */
    private org.deeplearning4j.spark.parameterserver.training.SharedTrainingMaster sharedTrainingMaster(int workers) {
        TrainConfig.GradientSharing gs = cfg.gradientSharing();
        String host = jsc.getConf().get("spark.driver.host", "127.0.0.1");
        try {
            host = java.net.InetAddress.getByName(host).getHostAddress();
        } catch (java.net.UnknownHostException e) {
            throw new IllegalStateException("cannot resolve the driver host " + host + " for gradient sharing", e);
        }
        org.nd4j.parameterserver.distributed.conf.VoidConfiguration voidConf =
                org.nd4j.parameterserver.distributed.conf.VoidConfiguration.builder()
                        .unicastPort(gs.port()).controllerAddress(host).portSupplier(new AeronPorts(gs.port())).build();
        org.deeplearning4j.optimize.solvers.accumulation.encoding.ThresholdAlgorithm algorithm = gs.adaptive()
                ? new org.deeplearning4j.optimize.solvers.accumulation.encoding.threshold.AdaptiveThresholdAlgorithm(gs.threshold())
                : new org.deeplearning4j.optimize.solvers.accumulation.encoding.threshold.FixedThresholdAlgorithm(gs.threshold());
        org.deeplearning4j.spark.parameterserver.training.SharedTrainingMaster.Builder b =
                new org.deeplearning4j.spark.parameterserver.training.SharedTrainingMaster.Builder(voidConf, workers,
                        algorithm, cfg.batch())
                        .batchSizePerWorker(cfg.batch())
                        .workersPerNode(1)
                        .workerPrefetchNumBatches(cfg.prefetch())
                        .rddTrainingApproach(org.deeplearning4j.spark.api.RDDTrainingApproach.Direct)
                        .rngSeed(cfg.seed());
        if (gs.residualClip() > 0) {
            b.residualPostProcessor(
                    new org.deeplearning4j.optimize.solvers.accumulation.encoding.residual.ResidualClippingPostProcessor(
                            gs.residualClip(), 5));
        }
        return b.build();
    }

    /** A saved network's weights by layer name (a pruned network's into its fine-tuning or its next search). */
    private void initFrom(ComputationGraph net, String location, Configuration hconf) throws IOException {
        boolean zip = location.endsWith(".zip");
        org.apache.hadoop.fs.Path p = org.segspark.core.io.HadoopFiles.path(location);
        RunDirectory dir = new RunDirectory(zip ? p.getParent().toString() : location, hconf);
        ComputationGraph from = dir.loadModel(zip ? p.getName() : RunDirectory.MODEL);
        org.segspark.nas.prune.WeightTransfer.Report r = org.segspark.nas.prune.WeightTransfer.copyByName(from, net, true);
        console.printf(Locale.ROOT, "init-from %s: %d parameter arrays copied, %d fresh%n", location, r.copied(), r.fresh());
    }

    /** The architecture option: JSON as given, or the text of the file it names. */
    static String architectureJson(String option, Configuration hconf) throws IOException {
        String s = option.strip();
        if (s.startsWith("{")) {
            return s;
        }
        return new String(org.segspark.core.io.HadoopFiles.readAll(
                org.segspark.core.io.HadoopFiles.path(s), hconf), java.nio.charset.StandardCharsets.UTF_8);
    }

    /** Keras weights by layer name; the driver reads them (HDF5 needs a local file) and training broadcasts them. */
    private void loadPretrained(ComputationGraph net, String location, Configuration hconf) throws IOException {
        org.apache.hadoop.fs.Path p = org.segspark.core.io.HadoopFiles.path(location);
        java.nio.file.Path local;
        java.nio.file.Path copy = null;
        if (p.toUri().getScheme() == null || "file".equals(p.toUri().getScheme())) {
            local = java.nio.file.Path.of(p.toUri().getPath());
        } else {
            copy = java.nio.file.Files.createTempFile("segspark-pretrained", ".h5");
            java.nio.file.Files.write(copy, org.segspark.core.io.HadoopFiles.readAll(p, hconf));
            local = copy;
        }
        try {
            KerasWeights.Result r = KerasWeights.load(net, local);
            console.println("pretrained: " + r.describe(java.nio.file.Path.of(p.getName())));
        } finally {
            if (copy != null) {
                java.nio.file.Files.deleteIfExists(copy);
            }
        }
    }

    /**
     * Running statistics from the current weights (see {@link BatchNormStatistics}); in parameter
     * averaging the driver's network is what the next epoch broadcasts, so training continues from them.
     */
    private void recomputeBatchNorm(ComputationGraph net, List<String> refs, ShardBatchLoader loader,
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

    private Evaluation.Result evaluate(ComputationGraph net, List<String> refs, ShardBatchLoader loader, int samples,
                                       SerializableConf sconf) throws IOException {
        return cfg.mode() == TrainConfig.Mode.LOCAL
                ? Evaluation.inProcess(net, refs, loader, cfg.evalBatch(), samples, sconf)
                : Evaluation.onSpark(jsc, net, refs, loader, cfg.evalBatch(), samples, sconf);
    }

    /**
     * A trained network on a split of a shard set, normalised with its training data's
     * statistics: on the executors unless the configured mode is local.
     */
    public Evaluation.Result evaluateTrained(ComputationGraph net, String location, String split,
                                             InputNormalizer normalizer) throws IOException {
        ShardSet set = ShardSet.open(location, hconf);
        ShardManifest m = set.manifest();
        ModelSpec spec = ModelRegistry.get(cfg.model());
        checkTask(spec, m);
        List<String> refs = set.rowGroupRefs(split);
        if (refs.isEmpty()) {
            throw new IllegalArgumentException("the shard set " + location + " has no " + split + " examples");
        }
        Targets targets = Targets.of(spec.task(), modelConfig(spec, m), net.getConfiguration());
        SerializableConf sconf = new SerializableConf(hconf);
        ShardBatchLoader loader = new ShardBatchLoader(targets, normalizer, null, sconf, threadsPerTask());
        return evaluate(net, refs, loader, 0, sconf);
    }

    /** Threads a task's ops may use: all in local mode, else threads-per-task or spark.task.cpus (Spark's share per task). */
    private int threadsPerTask() {
        return cfg.mode() == TrainConfig.Mode.LOCAL ? 0
                : cfg.threadsPerTask() > 0 ? cfg.threadsPerTask() : jsc.getConf().getInt("spark.task.cpus", 1);
    }

    /** The model's task must be the shards' and, when given, the configured one. */
    void checkTask(ModelSpec spec, ShardManifest m) {
        if (!cfg.task().equals(TrainConfig.AUTO) && !cfg.task().equals(spec.task().id())) {
            throw new IllegalArgumentException("--task " + cfg.task() + " but model " + cfg.model() + " is a "
                    + spec.task().id() + " model; " + spec.task().id() + " models: " + ModelRegistry.names(spec.task()));
        }
        if (!spec.task().id().equals(m.task())) {
            throw new IllegalArgumentException("model " + cfg.model() + " is for " + spec.task().id() + " but the shards at "
                    + cfg.data() + " are for " + m.task());
        }
    }

    /** cuda needs the CUDA backend on the classpath (the jar built with -Pcuda); cpu needs the CPU one. */
    static void checkDevice(String device) {
        String backend = org.nd4j.linalg.factory.Nd4j.getBackend().getClass().getSimpleName();
        boolean cuda = backend.toLowerCase(Locale.ROOT).contains("cu");
        if (device.equals("cuda") && !cuda) {
            throw new IllegalArgumentException("device cuda asked for, but ND4J runs on " + backend
                    + "; build with ./mvnw -Pcuda package and give each executor a GPU (conf/cluster-gpu.conf)");
        }
        if (device.equals("cpu") && cuda) {
            throw new IllegalArgumentException("device cpu asked for, but ND4J runs on " + backend);
        }
    }

    /** Row group refs of the validation split: the data's own, or val-data's (same tensor size and classes). */
    private List<String> validationRefs(ShardManifest m, Configuration hconf) throws IOException {
        if (cfg.valData() == null) {
            valExamples = m.split("val").examples();
            return ShardSet.open(cfg.data(), hconf).rowGroupRefs("val");
        }
        ShardSet val = ShardSet.open(cfg.valData(), hconf);
        ShardManifest v = val.manifest();
        if (!v.task().equals(m.task()) || v.tensor().height() != m.tensor().height()
                || v.tensor().width() != m.tensor().width() || !v.classes().equals(m.classes())) {
            throw new IllegalArgumentException("val-data " + cfg.valData() + " (" + v.task() + ", " + v.tensor().height() + "x"
                    + v.tensor().width() + ", classes " + v.classes() + ") does not match data " + cfg.data() + " ("
                    + m.task() + ", " + m.tensor().height() + "x" + m.tensor().width() + ", classes " + m.classes() + ")");
        }
        valExamples = v.split("val").examples();
        if (valExamples == 0) {
            throw new IllegalArgumentException("val-data " + cfg.valData() + " has no val split examples");
        }
        return val.rowGroupRefs("val");
    }

    /** Whole row groups, in a seeded order, until they hold at least {@code examples} rows. */
    static List<ShardSet.RowGroup> sampleGroups(List<ShardSet.RowGroup> groups, int examples, long seed) {
        List<ShardSet.RowGroup> shuffled = new ArrayList<>(groups);
        java.util.Collections.shuffle(shuffled, new java.util.Random(seed));
        List<ShardSet.RowGroup> out = new ArrayList<>();
        long rows = 0;
        for (ShardSet.RowGroup g : shuffled) {
            if (rows >= examples) {
                break;
            }
            out.add(g);
            rows += g.rows();
        }
        return out;
    }

    static List<String> trainSample(List<ShardSet.RowGroup> groups, int examples, long seed) {
        return sampleGroups(groups, examples, seed).stream().map(ShardSet.RowGroup::ref).toList();
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

    static String describe(EpochMetrics e, int epochs, Task task) {
        String metric = task == Task.SEGMENTATION
                ? String.format(Locale.ROOT, "%smIoU %s  pixel_acc %s",
                        e.trainMiou() == null ? "" : "train_mIoU " + f(e.trainMiou()) + "  ", f(e.miou()), f(e.pixelAccuracy()))
                : String.format(Locale.ROOT, "%sval_top1 %s",
                        e.trainTop1() == null ? "" : "train_top1 " + f(e.trainTop1()) + "  ", f(e.top1()));
        return String.format(Locale.ROOT, "epoch %d/%d  train_loss %s  val_loss %s  %s  %.1f s  %.1f img/s",
                e.epoch(), epochs, f(e.trainLoss()), f(e.valLoss()), metric, e.trainSeconds(), e.imagesPerSecond());
    }

    static String describe(EpochTiming t) {
        return String.format(Locale.ROOT, "          worker time: compute %.0f%%, update %.0f%%, distribution and waiting %.0f%% "
                + "(%d worker%s x %.1f s)", 100 * t.computeShare(), 100 * t.updateShare(), 100 * t.otherShare(),
                t.workers(), t.workers() == 1 ? "" : "s", t.wallSeconds());
    }

    private static String weightsText(double[] w) {
        StringBuilder b = new StringBuilder("[");
        for (int i = 0; i < w.length; i++) {
            b.append(i == 0 ? "" : ", ").append(String.format(Locale.ROOT, "%.3g", w[i]));
        }
        return b.append(']').toString();
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

    /** The registry model's defaults, at the shards' size and classes, with the configured options. */
    ModelConfig modelConfig(ModelSpec spec, ShardManifest m) {
        int classes = m.numClasses();
        if (cfg.classes() > 0) {
            if (cfg.classes() < classes) {
                throw new IllegalArgumentException("classes = " + cfg.classes() + " but the shard set " + cfg.data()
                        + " has " + classes + " classes");
            }
            classes = cfg.classes();
        }
        ModelConfig c = spec.defaults().withClasses(classes).withInput(m.tensor().height(), m.tensor().width())
                .withWidthMultiplier(cfg.widthMultiplier()).withSeed(cfg.seed());
        TrainConfig.ModelOptions o = cfg.modelOptions();
        if (o.outputStride() != null) {
            c = c.withOutputStride(o.outputStride());
        }
        if (o.padding() != null) {
            c = c.withPadding(o.padding());
        }
        if (o.head() != null) {
            c = c.withHead(o.head());
        }
        if (o.freezeEncoder() != null) {
            c = c.withFreezeEncoder(o.freezeEncoder());
        }
        if (o.architecture() != null) {
            try {
                c = c.withArchitecture(architectureJson(o.architecture(), hconf));
            } catch (IOException e) {
                throw new UncheckedIOException("cannot read model-options.architecture " + o.architecture(), e);
            }
        }
        if (spec.task() == Task.SEGMENTATION && c.outputChannels() == 1 && classes != 2) {
            throw new IllegalArgumentException(cfg.model() + " with a sigmoid head is binary (class 0 background, 1 "
                    + "foreground) but the shard set has " + classes + " classes; use model-options.head = softmax");
        }
        return c;
    }

    NeuralNetConfiguration.Builder base(double lrFactor) {
        TrainConfig.Optimizer o = cfg.optimizer().withLr(cfg.optimizer().lr() * lrFactor);
        boolean scheduled = !o.schedule().equalsIgnoreCase("constant") || o.warmupEpochs() > 0;
        if (scheduled && cfg.dl4jSharing()) {
            throw new IllegalArgumentException("optimizer.schedule " + o.schedule() + " (warm-up " + o.warmupEpochs()
                    + ") needs segspark's exchange (gradient-sharing.exchange = sync), parameter averaging or local "
                    + "mode: DL4J's gradient-sharing workers keep the first epoch's configuration");
        }
        org.nd4j.linalg.schedule.ISchedule lr = scheduled ? o.scheduleOver(cfg.epochs()) : null;
        IUpdater updater = switch (o.name()) {
            case "sgd" -> lr == null ? new Nesterovs(o.lr(), o.momentum()) : new Nesterovs(lr, o.momentum());
            default -> lr == null ? new Adam(o.lr()) : new Adam(lr);
        };
        NeuralNetConfiguration.Builder b = ModelRegistry.defaultBase(cfg.seed()).updater(updater);
        if (o.weightDecay() > 0) {
            if (o.name().equals("adamw")) {
                b.weightDecay(o.weightDecay(), true);
            } else {
                b.l2(o.weightDecay());
            }
        }
        return b;
    }
}
