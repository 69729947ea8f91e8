package org.segspark.preprocess.coco;

import com.holdenkarau.spark.testing.JavaRDDComparisons;
import org.segspark.preprocess.SparkTest;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.sql.SparkSession;
import org.segspark.core.io.HadoopFiles;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.segspark.preprocess.image.Resize;
import org.segspark.preprocess.io.Reject;
import org.segspark.preprocess.io.RejectsTable;
import org.segspark.core.io.SerializableConf;
import org.segspark.preprocess.job.Outcome;
import org.segspark.preprocess.job.ShardJob;
import org.segspark.preprocess.job.ShardJobOptions;
import org.segspark.core.shards.ShardFileReader;
import org.segspark.core.shards.ShardManifest;
import org.segspark.core.shards.ShardRow;
import org.segspark.core.shards.ShardSet;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

class CocoShardJobTest extends SparkTest {
    @TempDir
    Path dir;

    private CocoShardConfig config(Path json, Path images, Path out) {
        return new CocoShardConfig(json.toString(), images.toString(), "categories", 0.25, 0,
                Resize.Aspect.STRETCH, 100_000_000L,
                new ShardJobOptions(out.toString(), 32, 48, 4, 64,
                        org.apache.parquet.hadoop.metadata.CompressionCodecName.ZSTD));
    }

    @Test
    void badInputsAreRejectedAndEveryInputIsAccountedFor() throws Exception {
        Path json = BadCocoData.write(dir.resolve("coco"));
        Path out = dir.resolve("shards");
        ShardJob.Result result = CocoShardJob.run(jsc(), config(json, dir.resolve("coco/images"), out), null);

        int inputs = BadCocoData.GOOD + BadCocoData.BAD;
        assertEquals(inputs, result.accounting().inputs());
        assertEquals(BadCocoData.GOOD, result.accounting().written());
        assertEquals(BadCocoData.BAD, result.accounting().rejected());
        Map<String, String> reasons = new HashMap<>();
        for (Reject r : RejectsTable.read(new org.apache.hadoop.fs.Path(out.resolve(RejectsTable.FILE).toUri()),
                jsc().hadoopConfiguration())) {
            reasons.put(r.path().replaceAll(".*/", ""), r.stage() + ": " + r.reason());
        }
        assertTrue(reasons.get("missing.jpg").startsWith("read: missing file"), reasons.toString());
        assertEquals("decode: zero-byte file", reasons.get("zero.jpg"));
        assertTrue(reasons.get("truncated.jpg").startsWith("decode: "), reasons.toString());
        assertTrue(reasons.get("outside.jpg").contains("escapes the image root"), reasons.toString());
        assertTrue(reasons.get("oddpoly.jpg").contains("annotation 9001: polygon 0 has an odd number of coordinates"));
        assertTrue(reasons.get("instances.json").contains("annotation 9002 names unknown image id 4242"));

        ShardManifest m = ShardSet.open(out.toString(), jsc().hadoopConfiguration()).manifest();
        assertEquals(BadCocoData.GOOD, m.split("train").examples() + m.split("val").examples());
        assertTrue(m.split("val").examples() > 0 && m.split("train").examples() > 0);
        assertEquals(List.of("background", "person", "car", "dog"), m.classes());
        long pixels = 0;
        for (long c : m.split("train").classPixels()) {
            pixels += c;
        }
        assertEquals(m.split("train").examples() * 32 * 48, pixels + m.split("train").ignoredPixels());
        assertNotNull(m.normalization());
        assertEquals(inputs, m.accounting().inputs());
    }

    /** The shards hold exactly the tensors the conversion makes, and Spark's own Parquet reader sees the same. */
    @Test
    void shardsRoundTripToIdenticalTensors() throws Exception {
        Path data = dir.resolve("coco");
        new SyntheticCoco(70, 50, 11).write(data, 20);
        Path json = data.resolve(SyntheticCoco.ANNOTATIONS);
        Path out = dir.resolve("shards");
        CocoShardConfig cfg = config(json, data.resolve("images"), out);
        CocoShardJob.run(jsc(), cfg, null);
        ShardSet set = ShardSet.open(out.toString(), jsc().hadoopConfiguration());
        set.verify(jsc().hadoopConfiguration());

        List<ShardRow> read = new ArrayList<>();
        for (String split : List.of("train", "val")) {
            for (org.apache.hadoop.fs.Path f : set.files(split)) {
                try (ShardFileReader r = new ShardFileReader(f, jsc().hadoopConfiguration())) {
                    read.addAll(r.readAll());
                }
            }
        }
        read.sort(Comparator.comparing(ShardRow::key));
        CocoSource source = CocoSource.read(json.toString(), "categories", jsc().hadoopConfiguration());
        CocoExampleMaker maker = new CocoExampleMaker(data.resolve("images").toString(), source.mapping(), 32, 48,
                Resize.Aspect.STRETCH, 0.25, 0, 100_000_000L, true, new SerializableConf(jsc().hadoopConfiguration()));
        List<ShardRow> direct = new ArrayList<>();
        for (CocoImageRecord r : CocoImageRecord.of(source.instances())) {
            Outcome o = maker.make(r).get(0);
            direct.add(o.row());
        }
        direct.sort(Comparator.comparing(ShardRow::key));
        assertEquals(20, read.size());
        for (int i = 0; i < direct.size(); i++) {
            assertEquals(direct.get(i).key(), read.get(i).key());
            assertEquals(direct.get(i).split(), read.get(i).split());
            assertArrayEquals(direct.get(i).image(), read.get(i).image());
            assertArrayEquals(direct.get(i).mask(), read.get(i).mask());
        }

        // An independent reader: Spark's vectorised Parquet reader over the same files.
        List<String> files = new ArrayList<>();
        for (String split : List.of("train", "val")) {
            set.files(split).forEach(f -> files.add(f.toString()));
        }
        SparkSession spark = SparkSession.builder().getOrCreate();
        JavaRDD<String> bySpark = spark.read().parquet(files.toArray(new String[0]))
                .select("key", "split", "height", "width", "channels", "image", "mask")
                .javaRDD().map(CocoShardJobTest::describe);
        List<String> expected = new ArrayList<>();
        for (ShardRow r : direct) {
            expected.add(describe(RowFactory.create(r.key(), r.split(), r.height(), r.width(), r.channels(),
                    r.image(), r.mask())));
        }
        JavaRDDComparisons.assertRDDEquals(jsc().parallelize(expected), bySpark);
    }

    /** A row as comparable text, tensors by content hash. */
    private static String describe(Row r) {
        return r.getString(0) + "|" + r.getString(1) + "|" + r.getInt(2) + "x" + r.getInt(3) + "x" + r.getInt(4)
                + "|" + HadoopFiles.sha256((byte[]) r.get(5)) + "|" + HadoopFiles.sha256((byte[]) r.get(6));
    }
}
