package org.segspark.jobs.records;

import com.fasterxml.jackson.annotation.JsonProperty;

/**
 * RUN/checkpoints/latest.json: the newest epoch checkpoint and that epoch's figures, written
 * with the checkpoint (a resumed run's history is complete even when history.jsonl is not).
 *
 * @param file the checkpoint, relative to the run folder
 */
public record CheckpointPointer(@JsonProperty("epoch") int epoch,
                                @JsonProperty("file") String file,
                                @JsonProperty("metrics") EpochMetrics metrics) {
}
