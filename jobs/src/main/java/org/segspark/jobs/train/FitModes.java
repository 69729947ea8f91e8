package org.segspark.jobs.train;

import org.apache.spark.api.java.JavaSparkContext;
import org.segspark.jobs.eval.Evaluator;
import org.segspark.jobs.progress.ProgressLine;
import org.segspark.jobs.spark.Sparks;
import org.segspark.jobs.train.fit.AveragingFit;
import org.segspark.jobs.train.sharing.Dl4jSharingFit;
import org.segspark.jobs.train.fit.Fit;
import org.segspark.jobs.train.fit.LocalFit;
import org.segspark.jobs.train.sharing.SyncSharingFit;

import java.time.Duration;

/** The {@link Fit} strategy of a run's mode, and where its networks are evaluated. */
final class FitModes {
    private FitModes() {
    }

    /** {@code jsc} null: local mode inside a Spark task (a trial-parallel sweep's trial). */
    static Fit of(TrainConfig cfg, JavaSparkContext jsc, ProgressLine progress) {
        if (cfg.mode() == TrainConfig.Mode.LOCAL) {
            return new LocalFit(cfg.batch(), cfg.prefetch(), threadsPerTask(cfg, jsc), progress);
        }
        if (jsc == null) {
            throw new IllegalArgumentException("mode " + cfg.mode().id() + " needs a Spark context; only local mode trains without");
        }
        int workers = cfg.workers() > 0 ? cfg.workers() : awaitTaskSlots(jsc);
        int threads = threadsPerTask(cfg, jsc);
        if (cfg.mode() == TrainConfig.Mode.PARAMETER_AVERAGING) {
            return new AveragingFit(jsc, workers, cfg.batch(), cfg.averagingFrequency(), cfg.prefetch(),
                    cfg.optimizer().lrFactor(workers), threads, progress);
        }
        return cfg.dl4jSharing()
                ? new Dl4jSharingFit(jsc, workers, cfg.batch(), cfg.prefetch(), cfg.seed(), cfg.gradientSharing(), threads,
                progress)
                : new SyncSharingFit(jsc, workers, cfg.gradientSharing(), cfg.prefetch(), threads, progress);
    }

    /** Where a trained network is evaluated outside training: in this process in local mode, else on the executors. */
    static Evaluator evaluator(TrainConfig cfg, JavaSparkContext jsc) {
        return cfg.mode() == TrainConfig.Mode.LOCAL ? Evaluator.inProcess() : Evaluator.onSpark(jsc);
    }

    /**
     * Threads a task's ops may use: all in local mode (0, kept as they are, for a sweep's trial
     * inside a Spark task), else threads-per-task or spark.task.cpus (Spark's share per task).
     */
    static int threadsPerTask(TrainConfig cfg, JavaSparkContext jsc) {
        return cfg.mode() == TrainConfig.Mode.LOCAL ? (jsc == null ? 0 : Runtime.getRuntime().availableProcessors())
                : cfg.threadsPerTask() > 0 ? cfg.threadsPerTask() : jsc.getConf().getInt("spark.task.cpus", 1);
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
}
