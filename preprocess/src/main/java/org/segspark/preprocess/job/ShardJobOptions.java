package org.segspark.preprocess.job;

import org.apache.parquet.hadoop.metadata.CompressionCodecName;

import java.io.Serializable;

/**
 * Settings every shard-writing job shares.
 *
 * @param out           shard set root (any Hadoop file system URI, or a local path)
 * @param height        tensor height in pixels
 * @param width         tensor width in pixels
 * @param rowGroupRows  rows per Parquet row group, the unit a training task loads
 * @param shardRows     target rows per shard file (files per split = inputs / shardRows, at least one per task)
 * @param codec         Parquet compression codec
 * @param incremental   reuse the previous run's shard files for unchanged inputs (false: rebuild everything)
 * @param jpegDctScaling decode JPEGs at the smallest DCT scale (1/2, 1/4, 1/8) that keeps the tensor's
 *                      pixels, instead of at full size and then resizing all of it
 * @param force         write into a non-empty {@code out} that is not a shard set (its other files are kept)
 * @param allowShrink   let a run replace a set with less than half its examples (by default such a run
 *                      fails and keeps the set: an emptied or unmounted input looks exactly like that)
 */
public record ShardJobOptions(String out, int height, int width, int rowGroupRows, int shardRows,
                              CompressionCodecName codec, boolean incremental, boolean jpegDctScaling,
                              boolean force, boolean allowShrink)
        implements Serializable {

    public ShardJobOptions(String out, int height, int width, int rowGroupRows, int shardRows, CompressionCodecName codec) {
        this(out, height, width, rowGroupRows, shardRows, codec, true, true, false, false);
    }

    public ShardJobOptions withAllowShrink(boolean allow) {
        return new ShardJobOptions(out, height, width, rowGroupRows, shardRows, codec, incremental, jpegDctScaling,
                force, allow);
    }

    public ShardJobOptions {
        if (height < 8 || width < 8 || height > 8192 || width > 8192) {
            throw new IllegalArgumentException("tensor size must be within 8..8192 per side, got " + height + "x" + width);
        }
        if (rowGroupRows < 1) {
            throw new IllegalArgumentException("row_group_rows must be >= 1, got " + rowGroupRows);
        }
        if (shardRows < rowGroupRows) {
            throw new IllegalArgumentException("shard_rows (" + shardRows + ") must be >= row_group_rows (" + rowGroupRows + ")");
        }
    }
}
