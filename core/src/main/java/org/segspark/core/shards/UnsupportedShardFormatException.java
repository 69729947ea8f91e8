package org.segspark.core.shards;

/** Shards written in a format version (or by a tool) this reader does not understand. */
public class UnsupportedShardFormatException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public UnsupportedShardFormatException(String message) {
        super(message);
    }
}
