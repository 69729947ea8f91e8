package org.segspark.jobs.train;

import org.apache.hadoop.conf.Configuration;
import org.apache.spark.api.java.JavaSparkContext;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.segspark.core.io.SerializableConf;
import org.segspark.core.shards.ShardManifest;
import org.segspark.core.shards.ShardSet;
import org.segspark.jobs.config.JobConfig;
import org.segspark.jobs.data.ShardBatchLoader;
import org.segspark.jobs.data.Targets;
import org.segspark.jobs.eval.Evaluation;
import org.segspark.jobs.records.EvaluationSummary;
import org.segspark.jobs.run.ModelInput;
import org.segspark.jobs.run.RunDirectory;
import org.segspark.models.ModelSpec;
import org.segspark.models.registry.ModelRegistry;

import java.io.IOException;
import java.io.PrintStream;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * {@code segspark evaluate}: a saved network on a shard set's split, normalised with its training
 * data's statistics, on the executors unless the run's mode is local.
 */
public final class EvaluateJob {
    private EvaluateJob() {
    }

    /** @param config the run's saved settings, train.data the shard set to evaluate on */
    public static EvaluationSummary run(JavaSparkContext jsc, JobConfig config, String runFolder, String split,
                                        PrintStream console) throws IOException {
        TrainConfig cfg = TrainConfig.from(config.section("train"));
        Configuration hconf = jsc.hadoopConfiguration();
        RunDirectory dir = RunDirectory.existing(runFolder, hconf, "--model");
        ModelInput in = ModelInput.of(dir.readTree(RunDirectory.MODEL_INFO), "auto", runFolder);
        ShardSet set = ShardSet.open(cfg.data(), hconf);
        ShardManifest m = set.manifest();
        List<String> classes = in.classes();
        if (!classes.equals(m.classes()) || in.height() != m.tensor().height() || in.width() != m.tensor().width()
                || in.channels() != m.tensor().channels()) {
            throw new IllegalArgumentException("the model in " + runFolder + " takes " + in.height() + "x" + in.width()
                    + "x" + in.channels() + " images with classes " + classes + "; the shards at " + cfg.data() + " are "
                    + EpochLoop.tensor(m) + " with classes " + m.classes());
        }
        ComputationGraph net = dir.loadModel(RunDirectory.MODEL);
        ModelSpec spec = ModelRegistry.get(cfg.model());
        NetworkFactory networks = new NetworkFactory(cfg, hconf, console);
        networks.checkTask(spec, m);
        List<String> refs = set.rowGroupRefs(split);
        if (refs.isEmpty()) {
            throw new IllegalArgumentException("the shard set " + cfg.data() + " has no " + split + " examples");
        }
        Targets targets = Targets.of(spec.task(), networks.modelConfig(spec, m), net.getConfiguration());
        SerializableConf sconf = new SerializableConf(hconf);
        ShardBatchLoader loader = new ShardBatchLoader(targets, in.normalizer(), null, sconf,
                FitModes.threadsPerTask(cfg, jsc));
        Evaluation.Result r = FitModes.evaluator(cfg, jsc).evaluate(net, refs, loader, cfg.evalBatch(), 0, sconf);
        if (in.segmentation()) {
            Map<String, Double> perClass = new LinkedHashMap<>();
            double[] iou = r.confusion().iou();
            for (int c = 0; c < iou.length; c++) {
                perClass.put(classes.get(c), iou[c]);
            }
            return new EvaluationSummary(runFolder, cfg.data(), split, r.examples(), r.meanLoss(),
                    r.confusion().meanIou(), r.confusion().accuracy(), perClass, null);
        }
        return new EvaluationSummary(runFolder, cfg.data(), split, r.examples(), r.meanLoss(), null, null, null,
                r.confusion().accuracy());
    }
}
