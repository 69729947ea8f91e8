package org.segspark.jobs.preprocess;

import com.fasterxml.jackson.databind.JsonNode;
import org.apache.spark.api.java.JavaSparkContext;
import org.segspark.core.config.SettingsSection;
import org.segspark.core.shards.ShardManifest;
import org.segspark.jobs.config.JobConfig;
import org.segspark.jobs.progress.ProgressLine;
import org.segspark.jobs.progress.TaskProgress;
import org.segspark.preprocess.coco.CocoSettings;
import org.segspark.preprocess.job.ShardJob;
import org.segspark.preprocess.job.ShardSettings;
import org.segspark.preprocess.job.ShardSource;

import java.io.IOException;
import java.io.PrintStream;
import java.util.Locale;

/** {@code segspark preprocess SOURCE}: a source's shard job over its section, with a progress line and its books. */
public final class PreprocessJob {
    private PreprocessJob() {
    }

    /** Runs the COCO shard job with a progress line and prints its books. */
    public static ShardJob.Result run(JavaSparkContext jsc, JobConfig cfg, PrintStream console) throws IOException {
        return run(jsc, cfg, CocoSettings.SOURCE, settings(cfg, CocoSettings.SOURCE), console);
    }

    /** The source's section of {@code cfg}, validated: read before Spark starts, so a bad setting costs no cluster. */
    public static SettingsSection.Values settings(JobConfig cfg, ShardSource source) {
        return source.section().read(cfg.section(source.section().name()));
    }

    public static ShardJob.Result run(JavaSparkContext jsc, JobConfig cfg, ShardSource source,
                                      SettingsSection.Values settings, PrintStream console) throws IOException {
        String name = source.name();
        JsonNode effective = cfg.jsonTree(source.section().name());
        long t = System.nanoTime();
        ShardJob.Result r;
        try (TaskProgress p = TaskProgress.start(jsc.sc(), "segspark-preprocess", "preprocess " + name,
                ProgressLine.console(), 0)) {
            r = source.run(jsc, settings, effective);
        }
        ShardManifest m = r.manifest();
        double s = (System.nanoTime() - t) / 1e9;
        console.printf(Locale.ROOT, "preprocess %s: %s; train %d, val %d examples of %dx%d%s, %d classes; %.1f s (%.1f inputs/s)%n",
                name, r.accounting(), m.split("train").examples(), m.split("val").examples(), m.tensor().height(),
                m.tensor().width(), m.tensor().channels() == 1 ? " grey" : "", m.numClasses(), s,
                r.accounting().inputs() / s);
        console.printf("preprocess %s: %s%n", name, r.increment().describe());
        if (r.accounting().rejected() > 0) {
            console.printf("preprocess %s: %d rejected inputs listed in %s/rejects.csv, e.g. %s: %s%n", name,
                    r.accounting().rejected(), settings.get(ShardSettings.OUT), r.rejects().get(0).path(),
                    r.rejects().get(0).reason());
        }
        return r;
    }
}
