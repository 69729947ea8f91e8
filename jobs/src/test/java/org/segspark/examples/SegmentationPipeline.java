package org.segspark.examples;

import org.apache.spark.ml.Pipeline;
import org.apache.spark.ml.PipelineModel;
import org.apache.spark.ml.PipelineStage;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.segspark.jobs.ml.SegsparkEstimator;

import java.io.IOException;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.regexp_extract;

/**
 * segspark in a Spark ML Pipeline, the example docs/SPARK_ML.md shows (SparkMlPipelineTest runs
 * it): images and their masks read with Spark's binaryFile source, a U-Net fitted, the fitted
 * pipeline saved and loaded, new images labelled.
 *
 * <pre>
 * spark-submit --class org.segspark.examples.SegmentationPipeline app.jar IMAGES MASKS NEW_IMAGES WORK
 * </pre>
 */
public final class SegmentationPipeline {
    private SegmentationPipeline() {
    }

    // example: begin
    /** Images with their masks (8-bit PNGs of class indices), paired by file name without extension. */
    public static Dataset<Row> imagesWithMasks(SparkSession spark, String images, String masks) {
        Column stem = regexp_extract(col("path"), "([^/]+)\\.[^./]+$", 1);
        Dataset<Row> m = spark.read().format("binaryFile").option("pathGlobFilter", "*.png").load(masks)
                .select(stem.as("stem"), col("content").as("mask"));
        return spark.read().format("binaryFile").load(images).withColumn("stem", stem).join(m, "stem");
    }

    /** A U-Net fitted on Spark (parameter averaging over the session's executors), in a Pipeline. */
    public static PipelineModel fit(Dataset<Row> train, String workDir) {
        SegsparkEstimator unet = new SegsparkEstimator()
                .setModel("unet-mobilenetv2")
                .setClasses("background", "person", "car", "dog")
                .setSize(32, 32)
                .setEpochs(2)
                .setBatch(4)
                .setWorkDir(workDir);
        return new Pipeline().setStages(new PipelineStage[] {unet}).fit(train);
    }

    /** The fitted pipeline saved, loaded back, and run over new images: a label map PNG per image. */
    public static Dataset<Row> label(SparkSession spark, PipelineModel fitted, String saveTo, String newImages)
            throws IOException {
        fitted.write().overwrite().save(saveTo);
        PipelineModel loaded = PipelineModel.load(saveTo);
        return loaded.transform(spark.read().format("binaryFile").load(newImages))
                .select("path", "prediction", "class_shares", "error");
    }
    // example: end

    public static void main(String[] args) throws IOException {
        if (args.length != 4) {
            System.err.println("usage: SegmentationPipeline IMAGES MASKS NEW_IMAGES WORK");
            System.exit(2);
        }
        SparkSession spark = SparkSession.builder().appName("segspark pipeline example").getOrCreate();
        PipelineModel fitted = fit(imagesWithMasks(spark, args[0], args[1]), args[3] + "/fit");
        for (Row r : label(spark, fitted, args[3] + "/pipeline", args[2]).collectAsList()) {
            System.out.println(r.getString(0) + (r.isNullAt(3) ? ": label map of " + ((byte[]) r.get(1)).length
                    + " bytes" : ": " + r.getString(3)));
        }
    }
}
