package org.segspark.preprocess.job;

import org.segspark.preprocess.io.Reject;
import org.segspark.core.shards.ShardManifest;

import java.io.Serializable;
import java.util.List;
import java.util.Map;

/** What one task reports to the driver: metadata only, never example data; {@code index} is its input index file. */
public record PartitionResult(long inputs, Map<String, List<ShardManifest.ShardFileInfo>> files,
                              Map<String, SplitStats> stats, List<Reject> rejects, String index) implements Serializable {
}
