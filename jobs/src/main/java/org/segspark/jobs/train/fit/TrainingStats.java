package org.segspark.jobs.train.fit;

import org.deeplearning4j.spark.api.stats.SparkTrainingStats;
import org.deeplearning4j.spark.stats.EventStats;

import java.util.LinkedHashMap;
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
    public static Map<String, Map<String, Object>> summarize(SparkTrainingStats stats) {
        Map<String, Map<String, Object>> out = new TreeMap<>();
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
                Map<String, Object> row = new LinkedHashMap<>();
                row.put("events", events.size());
                row.put("total_ms", total);
                row.put("mean_ms", total / (double) events.size());
                out.put(key, row);
            }
        }
        return out;
    }
}
