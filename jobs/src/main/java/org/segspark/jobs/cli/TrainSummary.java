package org.segspark.jobs.cli;

import org.segspark.jobs.train.TrainJob;

import java.util.Locale;
import java.util.Map;

/** The one-line result of a training run. */
final class TrainSummary {
    private TrainSummary() {
    }

    static String of(TrainJob.Result r) {
        Map<String, Object> m = r.metrics();
        if (m.get("miou") != null) {
            return String.format(Locale.ROOT, "validation mIoU %.4f, pixel accuracy %.4f after %d epochs",
                    (Double) m.get("miou"), (Double) m.get("pixel_accuracy"), r.history().size());
        }
        Object top1 = m.get("top1");
        return String.format(Locale.ROOT, "validation top-1 %s after %d epochs", top1, r.history().size());
    }
}
