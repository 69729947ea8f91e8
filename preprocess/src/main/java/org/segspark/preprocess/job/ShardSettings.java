package org.segspark.preprocess.job;

import org.apache.parquet.hadoop.metadata.CompressionCodecName;
import org.segspark.core.config.Choice;
import org.segspark.core.config.Setting;
import org.segspark.core.config.SettingsSection;
import org.segspark.preprocess.image.Resize;

import java.util.ArrayList;
import java.util.List;

/**
 * The settings the preprocessing sources share, declared once; each source's section lists them
 * beside its own (defaults per source in {@code conf/preprocess-<source>.conf}).
 */
public final class ShardSettings {
    private ShardSettings() {
    }

    public static final Setting<String> OUT = Setting.requiredText("out",
                    "Shard set root; any Hadoop URI (file://, hdfs://, s3a://) or a local path.")
            .option("--out", "SHARDS", "Shard set folder (any Hadoop URI)");
    public static final Setting<Integer> HEIGHT = Setting.integer("height",
                    "Tensor height in pixels (--size HxW sets height and width). Images are resized with an antialiased "
                            + "bilinear filter, label maps by nearest neighbour.")
            .check(v -> v >= 8 && v <= 8192, "must be within 8..8192");
    public static final Setting<Integer> WIDTH = Setting.integer("width", "Tensor width in pixels.")
            .check(v -> v >= 8 && v <= 8192, "must be within 8..8192");
    public static final Setting<Integer> ROW_GROUP_ROWS = Setting.integer("row-group-rows",
            "Rows per Parquet row group: the unit a training task loads.").atLeast(1);
    public static final Setting<Integer> SHARD_ROWS = Setting.integer("shard-rows",
            "Target rows per shard file (at least row-group-rows).").atLeast(1);
    public static final Setting<Compression> COMPRESSION = Setting.choice("compression", Compression.class,
            "Parquet compression of the shard files.");
    public static final Setting<Boolean> INCREMENTAL = Setting.flag("incremental",
            "Reuse the previous run's shard files for unchanged inputs: a rerun over the same data writes nothing, new "
                    + "inputs are processed alone (docs/SHARD_FORMAT.md, \"Incremental runs\"). false rebuilds all.");
    public static final Setting<Boolean> FORCE = Setting.flag("force",
            "Write into a non-empty out folder that is not a shard set (--force); its other files are kept.");
    public static final Setting<Boolean> ALLOW_SHRINK = Setting.flag("allow-shrink",
                    "Let a run replace the set with less than half its examples. Without it such a run fails and keeps "
                            + "the previous set: an emptied or unmounted input folder looks exactly like that.")
            .option("--allow-shrink", null, "Let this run replace the shard set with less than half its examples "
                    + "(otherwise it fails and keeps the set: an emptied or unmounted input looks like that)");
    public static final Setting<Boolean> JPEG_DCT_SCALING = Setting.flag("jpeg-dct-scaling",
            "Decode JPEGs at the smallest DCT scale (1/2, 1/4, 1/8) that keeps the tensor's pixels: 1.6x faster for "
                    + "640x480 -> 128x128; tensors differ from a full decode's by 0.1-2.7 grey levels on average on COCO "
                    + "photos. false: every image through ImageIO at full size (docs/SHARD_FORMAT.md).");

    /** Sources that decode image files. */
    public static final Setting<Resize.Aspect> ASPECT = Setting.choice("aspect", Resize.Aspect.class,
            "How an image of another aspect ratio is fitted: stretch scales each axis to fill; pad keeps the ratio and "
                    + "pads (image black, mask 255 = ignore).");
    public static final Setting<Long> MAX_PIXELS = Setting.longInteger("max-pixels",
            "Images (and masks) with more pixels are rejected (decompression-bomb guard).").atLeast(1);
    /** Sources without an official split: the val share, by a stable hash of the file name. */
    public static final Setting<Double> VAL_FRACTION = Setting.number("val-fraction",
                    "Share of images put in the val split, by a stable hash of the file name (adding images never moves "
                            + "old ones).")
            .check(v -> v >= 0 && v < 1, "must be in [0, 1)");
    public static final Setting<Long> SPLIT_SEED = Setting.longInteger("split-seed", "Seed of the val split's hash.");

    /** Parquet compression codecs a shard set may use. */
    public enum Compression implements Choice {
        ZSTD, SNAPPY, GZIP, UNCOMPRESSED;

        public CompressionCodecName codec() {
            return CompressionCodecName.valueOf(name());
        }
    }

    /** A source's section: its own settings, then the shared ones. */
    public static SettingsSection section(String source, List<Setting<?>> own) {
        List<Setting<?>> all = new ArrayList<>(own);
        all.addAll(List.of(OUT, HEIGHT, WIDTH, ROW_GROUP_ROWS, SHARD_ROWS, COMPRESSION, INCREMENTAL, FORCE, ALLOW_SHRINK,
                JPEG_DCT_SCALING));
        return new SettingsSection("preprocess." + source, all);
    }

    /** The shared settings' values as the shard job's options. */
    public static ShardJobOptions options(SettingsSection.Values v) {
        return new ShardJobOptions(v.get(OUT), v.get(HEIGHT), v.get(WIDTH), v.get(ROW_GROUP_ROWS), v.get(SHARD_ROWS),
                v.get(COMPRESSION).codec(), v.get(INCREMENTAL), v.get(JPEG_DCT_SCALING), v.get(FORCE), v.get(ALLOW_SHRINK));
    }
}
