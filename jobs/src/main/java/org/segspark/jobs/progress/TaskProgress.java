package org.segspark.jobs.progress;

import org.apache.spark.scheduler.StageInfo;

import org.apache.spark.SparkContext;
import org.apache.spark.scheduler.SparkListenerJobStart;
import org.apache.spark.scheduler.SparkListenerStageSubmitted;
import org.apache.spark.scheduler.SparkListenerTaskEnd;
import scala.collection.JavaConverters;

import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Drives a {@link ProgressLine} from Spark's scheduler: counts finished tasks of the jobs in one
 * job group. The total is either given (when the caller knows how many tasks a stage of work
 * takes) or the sum of the submitted stages' tasks.
 */
public final class TaskProgress extends GroupProgress {
    private final String group;
    private final boolean fixedTotal;
    private final Set<Integer> stages = ConcurrentHashMap.newKeySet();
    private final AtomicLong done = new AtomicLong();
    private final AtomicLong submitted = new AtomicLong();

    private TaskProgress(SparkContext sc, String group, ProgressLine line, long total) {
        super(sc, line, "tasks");
        this.group = group;
        this.fixedTotal = total > 0;
    }

    /** Starts a line for the work Spark does under {@code group} until {@link #close}. */
    public static TaskProgress start(SparkContext sc, String group, String description, ProgressLine line, long total) {
        TaskProgress p = new TaskProgress(sc, group, line, total);
        p.open(group, description, total);
        return p;
    }

    @Override
    public void onJobStart(SparkListenerJobStart job) {
        String g = job.properties() == null ? null : job.properties().getProperty("spark.jobGroup.id");
        if (group.equals(g)) {
            for (StageInfo info : JavaConverters.seqAsJavaList(job.stageInfos())) {
                stages.add(info.stageId());
            }
        }
    }

    @Override
    public void onStageSubmitted(SparkListenerStageSubmitted s) {
        if (!fixedTotal && stages.contains(s.stageInfo().stageId())) {
            line.setTotal(submitted.addAndGet(s.stageInfo().numTasks()));
        }
    }

    @Override
    public void onTaskEnd(SparkListenerTaskEnd t) {
        if (stages.contains(t.stageId()) && t.taskInfo().successful()) {
            line.update(done.incrementAndGet());
        }
    }

    @Override
    public long done() {
        return done.get();
    }
}
