package org.segspark.preprocess.job;

import org.segspark.preprocess.io.Reject;
import org.segspark.core.shards.ShardRow;

import java.io.Serializable;

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
}
