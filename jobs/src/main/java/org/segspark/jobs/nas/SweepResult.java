package org.segspark.jobs.nas;

import com.fasterxml.jackson.annotation.JsonProperty;

import java.util.List;

/**
 * OUT/sweep.json: the sweep's mode and kind, every trial's result (by id), and the count of those
 * that finished, were stopped early by successive halving, and failed.
 */
public record SweepResult(@JsonProperty("mode") String mode,
                          @JsonProperty("kind") String kind,
                          @JsonProperty("trials") List<TrialResult> trials,
                          @JsonProperty("finished") long finished,
                          @JsonProperty("stopped") long stopped,
                          @JsonProperty("failed") long failed,
                          @JsonProperty("seconds") double seconds) {

    static SweepResult of(String mode, String kind, List<TrialResult> trials, double seconds) {
        long finished = trials.stream().filter(TrialResult::ok).count();
        long stopped = trials.stream().filter(t -> t.done() && !t.ok()).count();
        return new SweepResult(mode, kind, trials, finished, stopped, trials.size() - finished - stopped, seconds);
    }
}
