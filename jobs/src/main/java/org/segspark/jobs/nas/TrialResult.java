package org.segspark.jobs.nas;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;

import java.util.Map;

/**
 * OUT/trials/ID/trial.json, and a row of sweep.json's trials: where a trial ran, its network's size
 * and validation metric before pruning and after (the same for a plain training trial), and how
 * it ended. Figures are absent when the trial failed before them.
 *
 * @param settings the trial's settings, as overrides of the sweep's training settings
 * @param device   "cpu", or the GPU Spark assigned to the task
 * @param executor the Spark executor, or "driver"
 * @param task     the Spark task (stage, partition, attempt); null when run from the driver
 * @param metric   the metric's name (miou or top1)
 * @param status   "ok", "stopped" (successive halving ended it early, after {@code epochs}) or "failed"
 * @param skipped  why this run did not run it (it finished in an earlier run), or absent
 * @param epochs   the epochs it trained (a training trial)
 * @param stopped  why successive halving stopped it, or absent
 */
public record TrialResult(@JsonProperty("id") String id,
                          @JsonProperty("settings") Map<String, Object> settings,
                          @JsonProperty("device") String device,
                          @JsonProperty("executor") String executor,
                          @JsonProperty("task") String task,
                          @JsonInclude(JsonInclude.Include.NON_NULL) @JsonProperty("model") String model,
                          @JsonInclude(JsonInclude.Include.NON_NULL) @JsonProperty("metric") String metric,
                          @JsonInclude(JsonInclude.Include.NON_NULL) @JsonProperty("params_before") Long paramsBefore,
                          @JsonInclude(JsonInclude.Include.NON_NULL) @JsonProperty("params_after") Long paramsAfter,
                          @JsonInclude(JsonInclude.Include.NON_NULL) @JsonProperty("macs_before") Long macsBefore,
                          @JsonInclude(JsonInclude.Include.NON_NULL) @JsonProperty("macs_after") Long macsAfter,
                          @JsonInclude(JsonInclude.Include.NON_NULL) @JsonProperty("metric_before") Double metricBefore,
                          @JsonProperty("metric_after") Double metricAfter,
                          @JsonProperty("status") String status,
                          @JsonInclude(JsonInclude.Include.NON_NULL) @JsonProperty("error") String error,
                          @JsonProperty("seconds") double seconds,
                          @JsonInclude(JsonInclude.Include.NON_NULL) @JsonProperty("skipped") String skipped,
                          @JsonInclude(JsonInclude.Include.NON_NULL) @JsonProperty("epochs") Integer epochs,
                          @JsonInclude(JsonInclude.Include.NON_NULL) @JsonProperty("stopped") String stopped) {
    public static final String OK = "ok";
    public static final String STOPPED = "stopped";
    public static final String FAILED = "failed";

    public boolean ok() {
        return OK.equals(status);
    }

    /** Finished, or stopped early by successive halving: either way not run again. */
    public boolean done() {
        return ok() || STOPPED.equals(status);
    }

    /** A finished trial with a metric after pruning: a point of the Pareto front's plot. */
    boolean measured() {
        return ok() && metricAfter != null;
    }

    TrialResult skippedBecause(String why) {
        return new TrialResult(id, settings, device, executor, task, model, metric, paramsBefore, paramsAfter, macsBefore,
                macsAfter, metricBefore, metricAfter, status, error, seconds, why, epochs, stopped);
    }

    TrialResult failedBecause(String why) {
        return new TrialResult(id, settings, device, executor, task, model, metric, paramsBefore, paramsAfter, macsBefore,
                macsAfter, metricBefore, metricAfter, FAILED, why, seconds, skipped, epochs, stopped);
    }

    TrialResult stoppedBecause(String why) {
        return new TrialResult(id, settings, device, executor, task, model, metric, paramsBefore, paramsAfter, macsBefore,
                macsAfter, metricBefore, metricAfter, STOPPED, error, seconds, skipped, epochs, why);
    }

    /** This rung's result after the earlier rungs': their seconds added. */
    TrialResult after(TrialResult earlier) {
        return new TrialResult(id, settings, device, executor, task, model, metric, paramsBefore, paramsAfter, macsBefore,
                macsAfter, metricBefore, metricAfter, status, error, seconds + earlier.seconds, skipped, epochs, stopped);
    }
}
