package org.segspark.preprocess.job;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.Path;
import org.segspark.core.io.HadoopFiles;
import org.segspark.preprocess.io.Reject;

import java.io.IOException;
import java.util.List;
import java.util.Map;

/**
 * What one preprocessing task made of its items, kept next to its shard files so a later run can
 * reuse them: the items' keys and fingerprints, the shard file per split, each split's raw
 * statistics, and the rejects. A task's files are reused or replaced together.
 *
 * @param files  split -> shard file, relative to the shard set root
 * @param inputs every item the task processed, including items that became rejects
 */
public record PartIndex(String run, int partition, Map<String, String> files, Map<String, SplitStats.Sums> stats,
                        List<InputFingerprint.Keyed> inputs, List<Reject> rejects) {

    private static final ObjectMapper MAPPER = new ObjectMapper()
            .setPropertyNamingStrategy(PropertyNamingStrategies.SNAKE_CASE)
            .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);

    /** Outcomes the task produced: rows written plus rejects. */
    public long outcomes() {
        return stats.values().stream().mapToLong(SplitStats.Sums::examples).sum() + rejects.size();
    }

    public void write(Path file, Configuration conf) throws IOException {
        HadoopFiles.writeAtomically(file, conf, MAPPER.writeValueAsBytes(this));
    }

    public static PartIndex read(Path file, Configuration conf) throws IOException {
        try {
            return MAPPER.readValue(HadoopFiles.readAll(file, conf), PartIndex.class);
        } catch (IOException e) {
            throw new IOException(file + ": unreadable input index (" + e.getMessage() + ")", e);
        }
    }
}
