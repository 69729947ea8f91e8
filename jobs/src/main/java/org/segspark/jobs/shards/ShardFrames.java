package org.segspark.jobs.shards;

import org.apache.hadoop.fs.Path;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.api.java.UDF3;
import org.apache.spark.sql.api.java.UDF4;
import org.apache.spark.sql.types.DataTypes;
import org.segspark.core.shards.ShardFormat;
import org.segspark.core.shards.ShardRow;
import org.segspark.core.shards.ShardSet;
import org.segspark.jobs.report.Html;
import org.segspark.preprocess.image.LabelPng;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.List;

import static org.apache.spark.sql.functions.call_udf;
import static org.apache.spark.sql.functions.col;

/**
 * Shard sets as Spark DataFrames: a split's rows (the files its manifest lists, nothing else) and
 * the tensor columns back as PNG images for display. The columns are docs/SHARD_FORMAT.md's.
 */
public final class ShardFrames {
    private static final String RGB_PNG = "segspark_rgb_png";
    private static final String LABELS_PNG = "segspark_labels_png";

    private ShardFrames() {
    }

    /** The rows of one split ({@code train} or {@code val}) of the shard set at {@code shards}. */
    public static Dataset<Row> read(SparkSession spark, String shards, String split) {
        List<Path> files;
        try {
            files = ShardSet.open(shards, spark.sparkContext().hadoopConfiguration()).files(split);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        if (files.isEmpty()) {
            throw new IllegalArgumentException(shards + " has no " + split + " examples");
        }
        return spark.read().parquet(files.stream().map(Path::toString).toArray(String[]::new));
    }

    /**
     * The rows with {@code image_png} (the tensor image as an RGB PNG) and, for segmentation rows,
     * {@code mask_png} (the label map as an 8-bit PNG of class indices) added.
     */
    public static Dataset<Row> withPngs(Dataset<Row> shardRows) {
        SparkSession spark = shardRows.sparkSession();
        spark.udf().register(RGB_PNG, (UDF4<byte[], Integer, Integer, Integer, byte[]>) ShardFrames::rgbPng,
                DataTypes.BinaryType);
        spark.udf().register(LABELS_PNG, (UDF3<byte[], Integer, Integer, byte[]>) (m, h, w) ->
                m == null ? null : LabelPng.encode(m, w, h), DataTypes.BinaryType);
        Dataset<Row> out = shardRows.withColumn("image_png", call_udf(RGB_PNG, col("image"), col("height"),
                col("width"), col(ShardFormat.CHANNELS)));
        return List.of(shardRows.columns()).contains("mask")
                ? out.withColumn("mask_png", call_udf(LABELS_PNG, col("mask"), col("height"), col("width"))) : out;
    }

    /** An image column's HWC bytes (RGB, or grey when {@code channels} is 1) as an RGB PNG file's bytes. */
    public static byte[] rgbPng(byte[] image, int height, int width, int channels) {
        byte[] hwc = channels == 1 ? ShardRow.greyToRgb(image) : image;
        BufferedImage img = new BufferedImage(width, height, BufferedImage.TYPE_INT_RGB);
        for (int y = 0; y < height; y++) {
            for (int x = 0; x < width; x++) {
                int i = (y * width + x) * 3;
                img.setRGB(x, y, (hwc[i] & 0xff) << 16 | (hwc[i + 1] & 0xff) << 8 | hwc[i + 2] & 0xff);
            }
        }
        return Html.png(img);
    }
}
