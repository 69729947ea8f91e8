package org.segspark.jobs.train.sharing;

import org.apache.spark.api.java.JavaSparkContext;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.segspark.jobs.progress.ProgressLine;
import org.segspark.jobs.progress.StepProgress;
import org.segspark.jobs.records.SharingFigures;
import org.segspark.jobs.train.fit.EpochPlan;
import org.segspark.jobs.train.fit.SparkFit;

import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;
import java.util.stream.Collectors;

/**
 * Gradient sharing through segspark's synchronous exchange: every step's update reaches every
 * worker (see {@link SharedEpoch}); the network is updated in place.
 */
public final class SyncSharingFit extends SparkFit {
    private final GradientSharing sharing;
    private final int prefetch;
    // the workers keep their networks between epochs under this key
    private final String run = UUID.randomUUID().toString();

    public SyncSharingFit(JavaSparkContext jsc, int workers, GradientSharing sharing, int prefetch, int threadsPerTask,
                          ProgressLine progress) {
        super(jsc, workers, threadsPerTask, progress, false);
        this.sharing = sharing;
        this.prefetch = prefetch;
    }

    @Override
    public String mode() {
        return "gradient-sharing";
    }

    @Override
    public void start(ComputationGraph net) {
        net.setListeners(steps);
    }

    @Override
    public Epoch fit(ComputationGraph net, EpochPlan plan) {
        SharedEpoch.Result r;
        try (StepProgress p = stepProgress(plan)) {
            r = SharedEpoch.fit(jsc, net, plan.minibatches(), plan.loader(), plan.conf(), workers, steps, sharing,
                    prefetch, run, plan.epoch());
        }
        return new Epoch(net, steps.takeEpoch(), Map.of(), figures(r), List.of(describe(r, workers)));
    }

    static SharingFigures figures(SharedEpoch.Result r) {
        return new SharingFigures(r.stepsPerWorker(), r.dropped(), r.bytesPerStep(), r.exchangeSeconds(),
                r.packingSeconds(), r.conversionSeconds(), r.agree(), r.maxDifference(), r.exchangeByWorker(),
                r.loadingSeconds());
    }

    static String describe(SharedEpoch.Result r, int workers) {
        return String.format(Locale.ROOT, "          gradient sharing: %d workers x %d steps%s; %s sent per step by each worker, "
                        + "%.1f s exchanging (%s s by worker), %.1f s loading minibatches (all workers); workers %s",
                workers, r.stepsPerWorker(),
                r.dropped() == 0 ? "" : " (" + r.dropped() + " minibatches left out to keep the workers in step)",
                r.bytesPerStep() >= 1e6 ? String.format(Locale.ROOT, "%.1f MB", r.bytesPerStep() / 1e6)
                        : String.format(Locale.ROOT, "%.1f KB", r.bytesPerStep() / 1e3), r.exchangeSeconds(),
                r.exchangeByWorker().stream().map(s -> String.format(Locale.ROOT, "%.1f", s)).collect(Collectors.joining(" + ")),
                r.loadingSeconds(),
                r.agree() ? "agree bit for bit" : String.format(Locale.ROOT, "differ by up to %.3g", r.maxDifference()));
    }
}
