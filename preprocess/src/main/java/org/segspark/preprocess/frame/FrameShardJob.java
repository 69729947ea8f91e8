package org.segspark.preprocess.frame;

import com.fasterxml.jackson.databind.JsonNode;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.types.BinaryType;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.NumericType;
import org.apache.spark.sql.types.StructType;
import org.apache.spark.storage.StorageLevel;
import org.segspark.core.shards.ShardManifest;
import org.segspark.preprocess.image.Resize;
import org.segspark.preprocess.job.ShardJob;
import org.segspark.preprocess.job.ShardJobOptions;

import java.io.IOException;
import java.io.Serializable;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A DataFrame of images with masks (segmentation) or labels (classification) to a shard set,
 * through the one shard job: rows stay on the executors, rejects are listed and the books balance
 * as for every other source.
 */
public final class FrameShardJob {
    private FrameShardJob() {
    }

    /**
     * Which columns hold what.
     *
     * @param key    a column naming each row uniquely (a string, e.g. binaryFile's path); when the frame
     *               lacks it, the image source's origin is used
     * @param image  file bytes or an image-source struct
     * @param target segmentation: the mask, an 8-bit PNG of class indices (255 = ignore), as binary;
     *               classification: the class index, numeric
     */
    public record Columns(String key, String image, String target) implements Serializable {
    }

    /** Where the frame's examples go, and how they are made. */
    public record Target(boolean segmentation, List<String> classes, ShardJobOptions options, Resize.Aspect aspect,
                         double valFraction, long splitSeed, long maxPixels) {
    }

    public static ShardJob.Result run(JavaSparkContext jsc, Dataset<Row> frame, Columns columns, Target target,
                                      JsonNode config) throws IOException {
        StructType schema = frame.schema();
        int image = column(schema, columns.image(), "image");
        ImageCell.checkType(columns.image(), schema.fields()[image].dataType());
        int labels = column(schema, columns.target(), target.segmentation() ? "mask" : "label");
        DataType t = schema.fields()[labels].dataType();
        if (target.segmentation() ? !(t instanceof BinaryType) : !(t instanceof NumericType)) {
            throw new IllegalArgumentException("column " + columns.target() + " is " + t.simpleString() + "; "
                    + (target.segmentation() ? "masks are 8-bit PNG files of class indices in a binary column"
                    : "labels are class indices in a numeric column"));
        }
        int key = List.of(schema.fieldNames()).indexOf(columns.key());
        if (key < 0 && !(schema.fields()[image].dataType() instanceof StructType)) {
            throw new IllegalArgumentException("no key column " + columns.key() + " (columns: "
                    + String.join(", ", schema.fieldNames()) + "): name a column that tells the rows apart, such as "
                    + "binaryFile's path");
        }
        boolean segmentation = target.segmentation();
        JavaRDD<FrameExample> examples = frame.toJavaRDD().map(row -> new FrameExample(
                key >= 0 ? String.valueOf(row.get(key)) : ImageCell.origin(row, image), ImageCell.of(row, image),
                segmentation && !row.isNullAt(labels) ? row.getAs(labels) : null,
                !segmentation && !row.isNullAt(labels) ? ((Number) row.get(labels)).doubleValue() : null));
        // the shard job reads its items twice (keys, then rows): they must be the same both times
        examples.persist(StorageLevel.MEMORY_AND_DISK_SER());
        try {
            Map<String, Object> source = new LinkedHashMap<>();
            source.put("kind", "dataframe");
            source.put("columns", Map.of("key", columns.key(), "image", columns.image(), "target", columns.target()));
            FrameExampleMaker maker = new FrameExampleMaker(segmentation, target.classes().size(),
                    target.options().height(), target.options().width(), target.aspect(), target.maxPixels(),
                    target.options().jpegDctScaling(), target.valFraction(), target.splitSeed());
            return ShardJob.run(jsc, examples, maker, new ShardJob.Spec(target.options(),
                    segmentation ? ShardManifest.SEGMENTATION : ShardManifest.CLASSIFICATION, target.classes(), source,
                    config));
        } finally {
            examples.unpersist(false);
        }
    }

    private static int column(StructType schema, String name, String what) {
        int i = List.of(schema.fieldNames()).indexOf(name);
        if (i < 0) {
            throw new IllegalArgumentException("no " + what + " column " + name + " (columns: "
                    + String.join(", ", schema.fieldNames()) + ")");
        }
        return i;
    }
}
