package org.segspark.jobs.nas;

import org.segspark.jobs.run.RunDirectory;

import org.apache.hadoop.conf.Configuration;
import org.apache.spark.api.java.JavaSparkContext;
import org.segspark.jobs.config.JobConfig;
import org.segspark.jobs.train.TrainJob;

import org.segspark.core.io.OutputFolder;

import java.io.IOException;
import java.io.PrintStream;
import java.util.Locale;

/**
 * One size-reducing search end to end: search-train (out/search), prune (out/pruned), fine-tune
 * the pruned network with the normal trainer (out/finetune), and out/nas-result.json with the
 * parameters and the validation metric before and after.
 */
public final class NasPipeline {
    public static final String RESULT = "nas-result.json";
    /** A search's folder: search, pruned and fine-tuned runs (older ones are known by the result). */
    public static final OutputFolder.Kind KIND = new OutputFolder.Kind("nas-run", RESULT);

    private NasPipeline() {
    }

    /**
     * @param train          the search's configuration (a nas model, train.* settings)
     * @param searchEpochs   epochs of the search
     * @param finetuneEpochs epochs of the pruned network's training
     */
    public static NasResult run(JavaSparkContext jsc, Configuration hconf, JobConfig train, String out,
                                          int searchEpochs, int finetuneEpochs, PrintStream console) throws IOException {
        long t0 = System.nanoTime();
        String model = train.get().getString("train.model");
        if (!model.startsWith("nas-")) {
            throw new IllegalArgumentException("a search needs a nas model (nas-unet, nas-classifier), got " + model);
        }
        String root = out.replaceAll("/+$", "");
        TrainJob.Result search = TrainJob.run(jsc, hconf, train.with("train.out", root + "/search")
                .with("train.epochs", searchEpochs), console, false);
        PruneJob.Result pruned = PruneJob.run(root + "/search", root + "/pruned", hconf, console);
        String metric = search.metrics().headlineName();
        Double after = null;
        if (finetuneEpochs > 0) {
            JobConfig ft = train.with("train.out", root + "/finetune").with("train.epochs", finetuneEpochs)
                    .with("train.model-options.architecture", root + "/pruned/" + PruneJob.ARCHITECTURE)
                    .with("train.model-options.init-from", root + "/pruned");
            after = TrainJob.run(jsc, hconf, ft, console, false).metrics().headline();
        }
        PruneReport p = pruned.report();
        NasResult r = new NasResult(metric, p.paramsBefore(), p.paramsAfter(), p.macsBefore(), p.macsAfter(),
                p.onnxBefore(), p.onnxAfter(), search.metrics().headline(), after, searchEpochs, finetuneEpochs,
                1.0 - (double) p.paramsAfter() / p.paramsBefore(), p.architecture(), (System.nanoTime() - t0) / 1e9,
                null, null, null, null, null);
        new RunDirectory(root, hconf).writeJson(RESULT, r);
        console.printf(Locale.ROOT, "nas: %s %.4f -> %.4f with %.1f%% of the parameters removed (%,d -> %,d); %s/%s%n",
                metric, r.metricBefore(), after == null ? Double.NaN : after, 100 * r.paramsRemoved(),
                p.paramsBefore(), p.paramsAfter(), root, RESULT);
        return r;
    }
}
