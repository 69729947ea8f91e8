package org.segspark.core.shards;

import org.segspark.core.io.BadInputException;

/** A shard set whose files disagree with its manifest (checksum, size, rows), or a manifest that cannot be read. */
public class DamagedShardSetException extends BadInputException {
    public DamagedShardSetException(String message) {
        super(message);
    }

    public DamagedShardSetException(String message, Throwable cause) {
        super(message, cause);
    }
}
