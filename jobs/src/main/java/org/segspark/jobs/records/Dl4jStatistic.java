package org.segspark.jobs.records;

import com.fasterxml.jackson.annotation.JsonProperty;

/** One of DL4J's Spark training statistics over an epoch (EpochTiming's {@code dl4j}, by the statistic's name). */
public record Dl4jStatistic(@JsonProperty("events") long events,
                            @JsonProperty("total_ms") long totalMs,
                            @JsonProperty("mean_ms") double meanMs) {
}
