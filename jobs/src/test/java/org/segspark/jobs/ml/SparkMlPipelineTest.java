package org.segspark.jobs.ml;

import org.apache.spark.ml.Pipeline;
import org.apache.spark.ml.PipelineModel;
import org.apache.spark.ml.PipelineStage;
import org.apache.spark.ml.linalg.Vector;
import org.apache.spark.ml.param.Param;
import org.apache.spark.ml.param.ParamMap;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;
import org.segspark.examples.SegmentationPipeline;
import org.segspark.core.shards.ShardManifest;
import org.segspark.core.shards.ShardSet;
import org.segspark.jobs.CliRun;
import org.segspark.jobs.predict.PredictJob;
import org.segspark.jobs.shards.ShardFrames;
import org.segspark.preprocess.image.LabelPng;

import javax.imageio.ImageIO;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.element_at;
import static org.apache.spark.sql.functions.split;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * segspark's Estimator and Model in Spark ML Pipelines on local[2]: synthetic COCO images and their
 * masks as a DataFrame, the docs' example fitted, saved and loaded, and its label maps compared byte
 * for byte with {@code segspark predict}'s on the same images.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class SparkMlPipelineTest {
    private static final String MASTER = "local[2]";
    private static final List<String> NEW_IMAGES = List.of("000000000001.jpg", "000000000002.jpg", "000000000003.jpg");

    @TempDir
    static Path dir;
    static SparkSession spark;
    static PipelineModel fitted;

    static String p(String name) {
        return dir.resolve(name).toString();
    }

    @BeforeAll
    static void data() throws IOException {
        CliRun r = CliRun.of("synth-coco", "--out", p("coco"), "--image-count", "40", "--size", "48x64", "--seed", "3");
        assertEquals(0, r.code(), r.err());
        r = CliRun.of("coco-masks", "--master", MASTER, "--annotations", p("coco/annotations/instances.json"),
                "--images", p("coco/images"), "--out", p("masks"), "--mapping", "coco4");
        assertEquals(0, r.code(), r.err());
        spark = SparkSession.active();
        Path in = Files.createDirectories(dir.resolve("new"));
        for (String name : NEW_IMAGES) {
            Files.copy(dir.resolve("coco/images").resolve(name), in.resolve(name));
        }
        byte[] jpeg = Files.readAllBytes(dir.resolve("coco/images/000000000004.jpg"));
        Files.write(in.resolve("cut.jpg"), Arrays.copyOf(jpeg, 40));
    }

    /** A file's name without its folder, as a column. */
    private static org.apache.spark.sql.Column name(String column) {
        return element_at(split(col(column), "/"), -1);
    }

    @Test
    @Order(1)
    void theDocsPipelineFitsSavesLoadsAndLabelsImagesAsPredictDoes() throws Exception {
        Dataset<Row> train = SegmentationPipeline.imagesWithMasks(spark, p("coco/images"), p("masks"));
        assertEquals(40, train.count());
        fitted = SegmentationPipeline.fit(train, p("work"));
        SegsparkModel model = (SegsparkModel) fitted.stages()[0];
        assertEquals(2, model.history().size());
        assertTrue(Files.exists(dir.resolve("work/run/model.zip")));
        assertFalse(Files.exists(dir.resolve("work/shards")), "the shard set is removed after fit");

        // the saved pipeline's model is a new file to this JVM: transforming four partitions loads it once
        int loadsBefore = LoadedNetworks.loads();
        Map<String, Row> rows = byName(SegmentationPipeline.label(spark, fitted, p("pipeline"), p("new")));
        assertEquals(1, LoadedNetworks.loads() - loadsBefore);
        assertEquals(4, rows.size());

        CliRun r = CliRun.of("predict", "--master", MASTER, "--run", p("work/run"), "--images", p("new"), "--out",
                p("predicted"), "--no-overlays");
        assertEquals(0, r.code(), r.err());
        assertSameAsPredict(rows);
        Row cut = rows.get("cut.jpg");
        assertNull(cut.get(1));
        assertTrue(cut.getString(3).startsWith("decode: "), cut.getString(3));
    }

    /** Label maps byte for byte and class shares to the CSV's six decimals, as segspark predict wrote them. */
    private static void assertSameAsPredict(Map<String, Row> rows) throws Exception {
        Map<String, String[]> csv = new HashMap<>();
        List<String> lines = Files.readAllLines(dir.resolve("predicted/predictions.csv"));
        lines.subList(1, lines.size()).forEach(l -> csv.put(l.split(",")[0], l.split(",")));
        for (String image : NEW_IMAGES) {
            Row row = rows.get(image);
            assertNull(row.get(3), image);
            byte[] png = (byte[]) row.get(1);
            String labels = image.replace(".jpg", ".png");
            assertArrayEquals(Files.readAllBytes(dir.resolve("predicted/labels").resolve(labels)), png, image);
            int[] size = new int[2];
            LabelPng.decode(png, size);
            assertEquals(64, size[0], image);
            assertEquals(48, size[1], image);
            List<Double> shares = row.getList(2);
            String[] f = csv.get(image);
            for (int c = 0; c < 4; c++) {
                assertEquals(Double.parseDouble(f[4 + c]), shares.get(c), 1e-6, image + " class " + c);
            }
        }
        assertTrue(Files.readString(dir.resolve("predicted/rejects.csv")).contains("cut.jpg,decode,"));
    }

    private static Map<String, Row> byName(Dataset<Row> labelled) {
        Map<String, Row> rows = new HashMap<>();
        for (Row r : labelled.collectAsList()) {
            rows.put(r.getString(0).substring(r.getString(0).lastIndexOf('/') + 1), r);
        }
        return rows;
    }

    @Test
    @Order(2)
    void aRunFolderOfTheCommandLineLoadsAsAModelAndRepartitionedRowsReuseTheLoadedNetwork() throws Exception {
        SegsparkModel model = SegsparkModel.load(p("work/run"));
        Dataset<Row> images = spark.read().format("binaryFile").load(p("new")).repartition(4);
        assertEquals(4, images.rdd().getNumPartitions());
        int loadsBefore = LoadedNetworks.loads();
        Map<String, Row> rows = byName(model.transform(images).select("path", "prediction", "class_shares", "error"));
        assertEquals(1, LoadedNetworks.loads() - loadsBefore, "one load for four partitions");
        assertSameAsPredict(rows);
        model.transform(images).count();
        assertEquals(1, LoadedNetworks.loads() - loadsBefore, "a second transform loads nothing");

        // the same network in DL4J: loaded once more, the same class shares to a few pixels of 64x48
        assertEquals(PredictJob.Settings.ONNXRUNTIME, model.getOrDefault(model.engine()));
        SegsparkModel dl4j = model.copy(ParamMap.empty()).setEngine(PredictJob.Settings.DL4J);
        Map<String, Row> byDl4j = byName(dl4j.transform(images).select("path", "prediction", "class_shares", "error"));
        assertEquals(2, LoadedNetworks.loads() - loadsBefore);
        for (String image : NEW_IMAGES) {
            List<Double> a = rows.get(image).getList(2), b = byDl4j.get(image).getList(2);
            for (int c = 0; c < 4; c++) {
                assertEquals(a.get(c), b.get(c), 5.0 / (64 * 48), image + " class " + c);
            }
        }
    }

    @Test
    @Order(3)
    void imageSourceStructsAreLabelledAtTheirOwnSizeAndUnreadableOnesGetAnError() throws Exception {
        Dataset<Row> images = spark.read().format("image").option("dropInvalid", false).load(p("new"));
        SegsparkModel model = (SegsparkModel) fitted.stages()[0];
        List<Row> rows = model.setInputCol("image").transform(images)
                .select(col("image.origin"), col("prediction"), col("error")).collectAsList();
        assertEquals(4, rows.size());
        for (Row r : rows) {
            if (r.getString(0).endsWith("cut.jpg")) {
                assertNull(r.get(1));
                assertNotNull(r.getString(2));
                continue;
            }
            assertNull(r.get(2), r.getString(0));
            int[] size = new int[2];
            byte[] labels = LabelPng.decode((byte[]) r.get(1), size);
            assertEquals(64, size[0]);
            for (byte b : labels) {
                assertTrue((b & 0xff) < 4);
            }
        }
        model.setInputCol("content");
    }

    @Test
    @Order(4)
    void aClassifierGivesTheClassItsNameAndProbabilitiesAsPredictDoes() throws IOException {
        // labels that only need to be classes: the test is of the plumbing, not of learning
        Dataset<Row> train = spark.read().format("binaryFile").load(p("coco/images"))
                .withColumn("label", org.apache.spark.sql.functions.expr("cast(length % 3 as double)"));
        SegsparkModel model = new SegsparkEstimator().setModel("mobilenet-v3-small").setSize(32, 32).setEpochs(1)
                .setBatch(8).setMode("local").setWorkDir(p("classifier")).setKeepShards(true).fit(train);
        assertEquals(List.of("class_0", "class_1", "class_2"), model.modelInput().classes());
        List<Row> rows = model.transform(spark.read().format("binaryFile").load(p("new")))
                .select(name("path"), col("prediction"), col("class_name"), col("probability"), col("error"))
                .collectAsList();
        CliRun r = CliRun.of("predict", "--master", MASTER, "--run", p("classifier/run"), "--images", p("new"),
                "--out", p("predicted-classes"));
        assertEquals(0, r.code(), r.err());
        Map<String, String[]> csv = new HashMap<>();
        List<String> lines = Files.readAllLines(dir.resolve("predicted-classes/predictions.csv"));
        lines.subList(1, lines.size()).forEach(l -> csv.put(l.split(",")[0], l.split(",")));
        for (Row row : rows) {
            if (row.getString(0).equals("cut.jpg")) {
                assertTrue(row.isNullAt(1) && row.getString(4).startsWith("decode: "));
                continue;
            }
            String[] f = csv.get(row.getString(0));
            assertEquals(Integer.parseInt(f[3]), (int) row.getDouble(1), row.getString(0));
            assertEquals(f[4], row.getString(2));
            Vector p = (Vector) row.get(3);
            assertEquals(3, p.size());
            assertEquals(1.0, Arrays.stream(p.toArray()).sum(), 1e-5);
            // predict ran one image per forward pass here, transform four: oneDNN's sums differ in the last bits
            assertEquals(Double.parseDouble(f[5]), p.apply((int) row.getDouble(1)), 1e-5);
        }
    }

    @Test
    @Order(5)
    void aShardSetReadsAsADataFrameAndItsTensorsShowAsPngs() throws Exception {
        Dataset<Row> rows = ShardFrames.read(spark, p("classifier/shards"), "train");
        ShardManifest m = ShardSet.open(p("classifier/shards"), spark.sparkContext().hadoopConfiguration()).manifest();
        assertEquals(m.split("train").examples(), rows.count());
        assertEquals(40, rows.count() + ShardFrames.read(spark, p("classifier/shards"), "val").count());
        Row r = ShardFrames.withPngs(rows).select("image", "image_png", "height", "width").first();
        BufferedImage png = ImageIO.read(new ByteArrayInputStream((byte[]) r.get(1)));
        byte[] hwc = (byte[]) r.get(0);
        assertEquals(32, png.getWidth());
        for (int y = 0; y < 32; y++) {
            for (int x = 0; x < 32; x++) {
                int i = (y * 32 + x) * 3;
                assertEquals((hwc[i] & 0xff) << 16 | (hwc[i + 1] & 0xff) << 8 | hwc[i + 2] & 0xff,
                        png.getRGB(x, y) & 0xffffff, "pixel " + x + "," + y);
            }
        }
    }

    @Test
    @Order(6)
    void unfittedPipelinesAndEstimatorsRoundTripWithTheirParams() throws IOException {
        SegsparkEstimator e = new SegsparkEstimator().setModel("unet").setEpochs(3).setLr(3e-4)
                .setClasses("a", "b").setMode("gradient-sharing");
        Pipeline pipeline = new Pipeline().setStages(new PipelineStage[] {e});
        pipeline.write().overwrite().save(p("unfitted"));
        SegsparkEstimator back = (SegsparkEstimator) Pipeline.load(p("unfitted")).getStages()[0];
        assertEquals(e.uid(), back.uid());
        for (Param<?> param : e.params()) {
            Param<?> same = back.getParam(param.name());
            assertEquals(e.isSet(param), back.isSet(same), param.name());
            assertEquals(e.isDefined(param), back.isDefined(same), param.name());
            if (!e.isDefined(param)) {
                continue;
            }
            Object want = e.getOrDefault(param), got = back.getOrDefault(same);
            assertTrue(want instanceof String[] w ? Arrays.equals(w, (String[]) got) : want.equals(got), param.name());
        }
        assertEquals(3, (int) back.getOrDefault(back.epochs()));
        assertArrayEquals(new String[] {"a", "b"}, back.getOrDefault(back.classes()));
        assertEquals("gradient-sharing", back.getOrDefault(back.mode()));
    }

    @Test
    void theDocsShowTheExampleAsItIs() throws IOException {
        String source = Files.readString(Path.of("src/test/java/org/segspark/examples/SegmentationPipeline.java"));
        String body = source.substring(source.indexOf("    // example: begin"),
                source.indexOf("// example: end") + "// example: end".length());
        String dedented = String.join("\n", body.lines().map(l -> l.startsWith("    ") ? l.substring(4) : l).toList());
        String docs = Files.readString(Path.of("..", "docs", "SPARK_ML.md"));
        assertTrue(docs.contains("```java\n" + dedented + "\n```"), "docs/SPARK_ML.md shows the example class's body");
    }

    @Test
    void paramsFollowTheSettingsDeclarationsDefaultsAndRules() {
        SegsparkEstimator e = new SegsparkEstimator();
        assertEquals(10, (int) e.getOrDefault(e.epochs()), "conf/train.conf");
        assertEquals(256, (int) e.getOrDefault(e.height()), "conf/preprocess-folders.conf");
        assertEquals("parameter-averaging", e.getOrDefault(e.mode()));
        assertEquals(0.0, (double) e.getOrDefault(e.weightDecay()), "a HOCON 0.0 is a double");
        assertTrue(e.explainParam(e.epochs()).contains("Passes over the training split"), e.explainParam(e.epochs()));
        IllegalArgumentException epochs = assertThrows(IllegalArgumentException.class, () -> e.setEpochs(0));
        assertTrue(epochs.getMessage().contains("epochs must be >= 1, got 0"), epochs.getMessage());
        IllegalArgumentException mode = assertThrows(IllegalArgumentException.class, () -> e.setMode("sideways"));
        assertTrue(mode.getMessage().contains("sideways"), mode.getMessage());
        assertThrows(IllegalArgumentException.class, () -> e.setLr(-1));
        IllegalArgumentException seg = assertThrows(IllegalArgumentException.class,
                () -> new SegsparkEstimator().setWorkDir(p("x")).fit(spark.read().format("binaryFile").load(p("new"))
                        .withColumn("mask", col("content"))));
        assertTrue(seg.getMessage().contains("set classes"), seg.getMessage());
    }
}
