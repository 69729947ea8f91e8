package org.segspark.jobs.progress;

import org.apache.spark.SparkContext;
import org.apache.spark.scheduler.AccumulableInfo;
import org.apache.spark.scheduler.SparkListenerExecutorMetricsUpdate;
import org.apache.spark.scheduler.SparkListenerTaskEnd;
import org.apache.spark.util.LongAccumulator;
import scala.Option;
import scala.Tuple4;
import scala.collection.JavaConverters;
import scala.collection.Seq;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A {@link ProgressLine} of training steps while Spark tasks run them: the tasks count their steps
 * in a Spark accumulator, whose values for running tasks reach the driver with every executor
 * heartbeat ({@code spark.executor.heartbeatInterval}) and whose final values come with each
 * finished task. Steps done = finished tasks' counts + running tasks' latest counts.
 */
public final class StepProgress extends GroupProgress {
    private final LongAccumulator steps;
    private final long accumulatorId;
    private final Map<Long, Long> running = new ConcurrentHashMap<>();
    private final AtomicLong finished = new AtomicLong();

    private StepProgress(SparkContext sc, LongAccumulator steps, ProgressLine line) {
        super(sc, line, "steps");
        this.steps = steps;
        this.accumulatorId = steps.id();
    }

    /** Starts counting {@code steps}' increments, of {@code total} expected, under a job group named for the work. */
    public static StepProgress start(SparkContext sc, String group, String description, ProgressLine line,
                                     LongAccumulator steps, long total) {
        StepProgress p = new StepProgress(sc, steps, line);
        p.open(group, description, total);
        return p;
    }

    @Override
    public void onExecutorMetricsUpdate(SparkListenerExecutorMetricsUpdate update) {
        for (Tuple4<Object, Object, Object, Seq<AccumulableInfo>> task : JavaConverters.seqAsJavaList(update.accumUpdates())) {
            Long value = value(task._4());
            if (value != null) {
                running.put((Long) task._1(), value);
            }
        }
        line.update(done());
    }

    @Override
    public void onTaskEnd(SparkListenerTaskEnd end) {
        Long last = running.remove(end.taskInfo().taskId());
        if (end.taskInfo().successful()) {
            Long value = value(end.taskInfo().accumulables());
            finished.addAndGet(value != null ? value : last != null ? last : 0);
        }
        line.update(done());
    }

    private Long value(Seq<AccumulableInfo> infos) {
        for (AccumulableInfo info : JavaConverters.seqAsJavaList(infos)) {
            if (info.id() == accumulatorId) {
                Option<Object> v = info.update().isDefined() ? info.update() : info.value();
                return v.isDefined() && v.get() instanceof Number n ? n.longValue() : null;
            }
        }
        return null;
    }

    /**
     * Steps done: the events' count, or the driver's accumulator where it is ahead (it has every
     * finished task's count as soon as its job ends; the listener bus may deliver the last events later).
     */
    @Override
    public long done() {
        long d = finished.get();
        for (long v : running.values()) {
            d += v;
        }
        return Math.max(d, steps.value());
    }

}
