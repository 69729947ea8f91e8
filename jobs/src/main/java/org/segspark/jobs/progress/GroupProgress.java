package org.segspark.jobs.progress;

import org.apache.spark.SparkContext;
import org.apache.spark.scheduler.SparkListener;

/**
 * A {@link ProgressLine} fed by Spark's scheduler events for the work done under one job group,
 * from {@link #open} until {@link #close}; subclasses say what they count.
 */
abstract class GroupProgress extends SparkListener implements AutoCloseable {
    private final SparkContext sc;
    private final String unit;
    protected final ProgressLine line;

    GroupProgress(SparkContext sc, ProgressLine line, String unit) {
        this.sc = sc;
        this.line = line;
        this.unit = unit;
    }

    /** Names the job group (Spark's UI shows the description), starts the line and listens. */
    final void open(String group, String description, long total) {
        sc.setJobGroup(group, description, false);
        line.start(description, total, unit);
        sc.addSparkListener(this);
    }

    /** What has been counted so far. */
    public abstract long done();

    @Override
    public void close() {
        sc.removeSparkListener(this);
        sc.clearJobGroup();
        line.finish(done() + " " + unit + " done");
    }
}
