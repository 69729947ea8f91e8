package org.segspark.jobs.train.fit;

import org.deeplearning4j.spark.api.stats.SparkTrainingStats;
import org.deeplearning4j.spark.stats.EventStats;
import org.segspark.jobs.records.Dl4jStatistic;

import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * DL4J's Spark training statistics (worker model creation, data loading, minibatch fitting, and
 * on the driver broadcast, splitting and parameter aggregation), summed per kind of event.
 */
public final class TrainingStats {
    private TrainingStats() {
    }

    /** Events, total and mean milliseconds per statistic, nested statistics included. */
    public static Map<String, Dl4jStatistic> summarize(SparkTrainingStats stats) {
        Map<String, Dl4jStatistic> out = new TreeMap<>();
        for (SparkTrainingStats s = stats; s != null; s = s.getNestedTrainingStats()) {
            for (String key : s.getKeySet()) {
                List<EventStats> events = s.getValue(key);
                if (events == null || events.isEmpty()) {
                    continue;
                }
                long total = 0;
                for (EventStats e : events) {
                    total += e.getDurationMs();
                }
                out.put(key, new Dl4jStatistic(events.size(), total, total / (double) events.size()));
            }
        }
        return out;
    }
}
