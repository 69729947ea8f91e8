package org.segspark.jobs.records;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;

import java.util.Map;

/**
 * Where an epoch's training time went. The workers had {@code wallSeconds x workers} seconds
 * between them: {@code computeSeconds} went to loading batches, forward and backward passes,
 * {@code updateSeconds} to the updater (and, under gradient sharing, to encoding, handing over and
 * applying updates); the rest ({@link #otherShare()}) is distribution: broadcasting the network,
 * building worker models, shipping and averaging parameters, waiting on the slowest worker,
 * scheduling. {@code dl4j} holds DL4J's own Spark training statistics where its training master
 * keeps them (parameter averaging: events, total and mean milliseconds per kind); {@code sharing}
 * what segspark's gradient-sharing exchange measured (steps, bytes per step, exchange time, whether
 * the workers agree), absent in other modes.
 */
@JsonIgnoreProperties(value = {"compute_share", "update_share", "other_share"}, allowGetters = true)
public record EpochTiming(
        @JsonProperty("epoch") int epoch,
        @JsonProperty("mode") String mode,
        @JsonProperty("workers") int workers,
        @JsonProperty("wall_seconds") double wallSeconds,
        @JsonProperty("minibatches") long minibatches,
        @JsonProperty("timed_steps") long timedSteps,
        @JsonProperty("compute_seconds") double computeSeconds,
        @JsonProperty("update_seconds") double updateSeconds,
        @JsonProperty("dl4j") Map<String, Dl4jStatistic> dl4j,
        @JsonInclude(JsonInclude.Include.NON_NULL) @JsonProperty("sharing") SharingFigures sharing) {

    /**
     * Timed steps stand for every step: a task's first step has no start mark, so the measured
     * times are scaled up by minibatches / timed steps.
     */
    private double scale() {
        return timedSteps == 0 ? 0 : (double) minibatches / timedSteps;
    }

    @JsonProperty("compute_share")
    public double computeShare() {
        return share(computeSeconds * scale());
    }

    @JsonProperty("update_share")
    public double updateShare() {
        return share(updateSeconds * scale());
    }

    @JsonProperty("other_share")
    public double otherShare() {
        return Math.max(0, 1 - computeShare() - updateShare());
    }

    private double share(double seconds) {
        double budget = wallSeconds * workers;
        return budget <= 0 ? 0 : Math.min(1, seconds / budget);
    }
}
