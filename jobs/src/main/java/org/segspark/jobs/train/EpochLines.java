package org.segspark.jobs.train;

import org.segspark.core.Task;
import org.segspark.jobs.records.EpochMetrics;
import org.segspark.jobs.records.EpochTiming;

import java.util.Locale;

/** An epoch's console lines: its figures, and where the workers' time went. */
final class EpochLines {
    private EpochLines() {
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

    private static String f(Double d) {
        return d == null ? "n/a" : String.format(Locale.ROOT, "%.4f", d);
    }
}
