package org.segspark.jobs.cli;

import org.segspark.jobs.records.RunMetrics;
import org.segspark.jobs.train.TrainJob;

import java.util.Locale;

/** The one-line result of a training run. */
final class TrainSummary {
    private TrainSummary() {
    }

    static String of(TrainJob.Result r) {
        RunMetrics m = r.metrics();
        if (m.miou() != null) {
            return String.format(Locale.ROOT, "validation mIoU %.4f, pixel accuracy %.4f after %d epochs",
                    m.miou(), m.pixelAccuracy(), r.history().size());
        }
        return String.format(Locale.ROOT, "validation top-1 %.4f after %d epochs", m.top1(), r.history().size());
    }
}
