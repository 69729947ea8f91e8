package org.segspark.jobs.preprocess;

import com.fasterxml.jackson.databind.JsonNode;
import com.typesafe.config.Config;
import org.apache.spark.api.java.JavaSparkContext;
import org.segspark.core.shards.ShardManifest;
import org.segspark.jobs.config.JobConfig;
import org.segspark.jobs.progress.ProgressLine;
import org.segspark.jobs.progress.TaskProgress;
import org.segspark.preprocess.coco.CocoShardConfig;
import org.segspark.preprocess.coco.CocoShardJob;
import org.segspark.preprocess.job.ShardJob;

import java.io.PrintStream;
import java.util.Locale;

/** {@code segspark preprocess SOURCE}: a source's shard job over its section, with a progress line and its books. */
public final class PreprocessJob {
    private PreprocessJob() {
    }

    /** A shard job over one section of the configuration. */
    @FunctionalInterface
    public interface Job {
        ShardJob.Result run(JavaSparkContext jsc, Config section, JsonNode tree) throws Exception;
    }

    /** Runs the COCO shard job with a progress line and prints its books. */
    public static ShardJob.Result run(JavaSparkContext jsc, JobConfig cfg, PrintStream console) throws Exception {
        return run(jsc, cfg, "coco", (j, c, tree) -> CocoShardJob.run(j, CocoShardConfig.from(c), tree), console);
    }

    public static ShardJob.Result run(JavaSparkContext jsc, JobConfig cfg, String source, Job job, PrintStream console)
            throws Exception {
        String section = "preprocess." + source;
        long t = System.nanoTime();
        ShardJob.Result r;
        try (TaskProgress p = TaskProgress.start(jsc.sc(), "segspark-preprocess", "preprocess " + source,
                ProgressLine.console(), 0)) {
            r = job.run(jsc, cfg.section(section), cfg.jsonTree(section));
        }
        ShardManifest m = r.manifest();
        double s = (System.nanoTime() - t) / 1e9;
        console.printf(Locale.ROOT, "preprocess %s: %s; train %d, val %d examples of %dx%d, %d classes; %.1f s (%.1f inputs/s)%n",
                source, r.accounting(), m.split("train").examples(), m.split("val").examples(), m.tensor().height(),
                m.tensor().width(), m.numClasses(), s, r.accounting().inputs() / s);
        console.printf("preprocess %s: %s%n", source, r.increment().describe());
        if (r.accounting().rejected() > 0) {
            console.printf("preprocess %s: %d rejected inputs listed in %s/rejects.csv, e.g. %s: %s%n", source,
                    r.accounting().rejected(), cfg.section(section).getString("out"), r.rejects().get(0).path(),
                    r.rejects().get(0).reason());
        }
        return r;
    }
}
