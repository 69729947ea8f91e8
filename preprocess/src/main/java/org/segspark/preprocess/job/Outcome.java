package org.segspark.preprocess.job;

import org.segspark.preprocess.io.Reject;
import org.segspark.core.shards.ShardRow;

import java.io.IOException;
import java.io.Serializable;
import java.util.ArrayList;
import java.util.List;

/**
 * What became of one input: a shard row (with the region of the image that holds content, for
 * statistics) or a reject.
 */
public record Outcome(ShardRow row, int[] contentRegion, Reject reject) implements Serializable {

    public static Outcome written(ShardRow row, int[] contentRegion) {
        return new Outcome(row, contentRegion, null);
    }

    public static Outcome rejected(String path, String stage, String reason) {
        return new Outcome(null, null, new Reject(path, stage, reason));
    }

    /** Records first..first+records of {@code file} when the read of them failed: one reject each, {@code file#index}. */
    public static List<Outcome> unreadable(String file, long first, int records, IOException e) {
        List<Outcome> all = new ArrayList<>(records);
        for (int i = 0; i < records; i++) {
            all.add(rejected(file + "#" + (first + i), "read", "cannot read: " + e.getMessage()));
        }
        return all;
    }
}
