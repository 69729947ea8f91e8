package org.segspark.core.shards;

import org.apache.parquet.schema.LogicalTypeAnnotation;
import org.apache.parquet.schema.MessageType;
import org.apache.parquet.schema.PrimitiveType.PrimitiveTypeName;
import org.apache.parquet.schema.Types;

/** Shard format v1: the Parquet schema and the names every reader and writer share (see docs/SHARD_FORMAT.md). */
public final class ShardFormat {
    public static final String NAME = "segspark-shards";
    public static final int VERSION = 1;
    /** Key of the footer metadata entry that carries the format version in every shard file. */
    public static final String FOOTER_VERSION_KEY = "segspark.shard.format.version";
    public static final String MANIFEST = "manifest.json";
    public static final String DATA_DIR = "data";
    public static final int IGNORE_LABEL = 255;

    public static final String KEY = "key";
    public static final String SOURCE = "source";
    public static final String SPLIT = "split";
    public static final String HEIGHT = "height";
    public static final String WIDTH = "width";
    public static final String CHANNELS = "channels";
    public static final String IMAGE = "image";
    public static final String MASK = "mask";
    public static final String LABEL = "label";

    public static final MessageType SCHEMA = Types.buildMessage()
            .required(PrimitiveTypeName.BINARY).as(LogicalTypeAnnotation.stringType()).named(KEY)
            .required(PrimitiveTypeName.BINARY).as(LogicalTypeAnnotation.stringType()).named(SOURCE)
            .required(PrimitiveTypeName.BINARY).as(LogicalTypeAnnotation.stringType()).named(SPLIT)
            .required(PrimitiveTypeName.INT32).named(HEIGHT)
            .required(PrimitiveTypeName.INT32).named(WIDTH)
            .required(PrimitiveTypeName.INT32).named(CHANNELS)
            .required(PrimitiveTypeName.BINARY).named(IMAGE)
            .optional(PrimitiveTypeName.BINARY).named(MASK)
            .optional(PrimitiveTypeName.INT32).named(LABEL)
            .named("segspark_shard_v1");

    private ShardFormat() {
    }

    /** Refuses data written by a format this reader does not know. */
    public static void requireKnownVersion(int version, String where) {
        if (version != VERSION) {
            throw new UnsupportedShardFormatException(where + " is shard format version " + version
                    + "; this segspark reads version " + VERSION + " only. Re-run preprocessing with this version, "
                    + "or use the segspark release that wrote it.");
        }
    }
}
