package org.segspark.preprocess.idx;

import org.apache.parquet.hadoop.metadata.CompressionCodecName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.segspark.core.shards.ShardRow;
import org.segspark.core.shards.ShardSet;
import org.segspark.preprocess.SparkTest;
import org.segspark.preprocess.io.Reject;
import org.segspark.preprocess.job.ShardJob;
import org.segspark.preprocess.job.ShardJobOptions;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.zip.GZIPInputStream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * The first records of the real Fashion-MNIST files (test resources, see their PROVENANCE.txt)
 * through {@code preprocess idx}: the published labels and pixels land in the shards, gzipped and
 * plain files give the same rows, bad labels become rejects rows, and a rerun writes nothing.
 */
class IdxShardJobTest extends SparkTest {
    static final Path SLICE = Path.of("src/test/resources/data/fashion_mnist_slice");
    static final int[] TRAIN_LABELS = {9, 0, 0, 3, 0, 2, 7, 2, 5, 5, 0, 9};
    static final int[] TEST_LABELS = {9, 2, 1, 1, 6, 1, 4, 6, 5, 7, 4, 5};
    static final long[] TRAIN_COUNTS = {282, 321, 290, 312, 303, 300, 298, 312, 287, 295};
    static final long[] TEST_COUNTS = {107, 105, 111, 93, 115, 87, 97, 95, 95, 95};
    static final int[] REAL_ROW14 = {0, 0, 1, 4, 6, 7, 2, 0, 0, 0, 0, 0, 237, 226, 217, 223, 222, 219, 222, 221, 216,
            223, 229, 215, 218, 255, 77, 0};

    @TempDir
    Path dir;

    static String file(String name) {
        return SLICE.resolve(name).toString();
    }

    private ShardJob.Result run(String images, String labels, String testImages, String testLabels, String out,
                                int size) throws IOException {
        return run(images, labels, testImages, testLabels, out, size, 3);
    }

    private ShardJob.Result run(String images, String labels, String testImages, String testLabels, String out,
                                int size, int channels) throws IOException {
        ShardJobOptions options = new ShardJobOptions(out, size, size, 64, 2000, CompressionCodecName.SNAPPY, true,
                true, false, false);
        return IdxShardJob.run(jsc(), images, labels, testImages, testLabels, IdxDataset.FASHION_MNIST, channels,
                options, null);
    }

    private static int sum(ShardRow row) {
        int s = 0;
        for (int p = 0; p < row.height() * row.width(); p++) {
            s += row.image()[p * 3] & 0xff;
        }
        return s;
    }

    @Test
    void theRealFilesPublishedLabelsAndPixelsLandInTheShards() throws Exception {
        String out = dir.resolve("shards").toString();
        ShardJob.Result r = run(file("train-images-idx3-ubyte.gz"), file("train-labels-idx1-ubyte.gz"),
                file("t10k-images-idx3-ubyte.gz"), file("t10k-labels-idx1-ubyte.gz"), out, 28);
        assertEquals(4000, r.accounting().inputs());
        assertEquals(4000, r.accounting().written());
        assertEquals(IdxDataset.FASHION_MNIST.classes(), r.manifest().classes());
        assertEquals("Ankle boot", r.manifest().classes().get(9));
        ShardSet set = ShardSet.open(out, jsc().hadoopConfiguration());
        assertEquals(3000, set.manifest().splits().get("train").examples());
        assertArrayEquals(TRAIN_COUNTS, set.manifest().splits().get("train").classExamples());
        assertArrayEquals(TEST_COUNTS, set.manifest().splits().get("val").classExamples());

        Map<String, ShardRow> rows = rowsByKey(out, jsc().hadoopConfiguration());
        for (int i = 0; i < TRAIN_LABELS.length; i++) {
            ShardRow row = rows.get("train-images-idx3-ubyte.gz#" + i);
            assertEquals(TRAIN_LABELS[i], row.label(), "train label " + i);
            assertEquals("train", row.split());
            ShardRow test = rows.get("t10k-images-idx3-ubyte.gz#" + i);
            assertEquals(TEST_LABELS[i], test.label(), "test label " + i);
            assertEquals("val", test.split());
        }
        ShardRow first = rows.get("train-images-idx3-ubyte.gz#0");
        assertEquals(76_247, sum(first));
        for (int x = 0; x < 28; x++) {
            int at = (14 * 28 + x) * 3;
            for (int c = 0; c < 3; c++) {
                assertEquals(REAL_ROW14[x], first.image()[at + c] & 0xff, "row 14, column " + x + ", channel " + c);
            }
        }
        assertEquals(33_456, sum(rows.get("t10k-images-idx3-ubyte.gz#0")));
        assertEquals(28_316, sum(rows.get("t10k-images-idx3-ubyte.gz#999")));

        ShardJob.Result again = run(file("train-images-idx3-ubyte.gz"), file("train-labels-idx1-ubyte.gz"),
                file("t10k-images-idx3-ubyte.gz"), file("t10k-labels-idx1-ubyte.gz"), out, 28);
        assertEquals("up-to-date", again.increment().mode());
    }

    @Test
    void plainFilesGiveTheRowsOfGzippedOnesAndResizeToTheTensor() throws Exception {
        Path images = dir.resolve("train-images-idx3-ubyte"), labels = dir.resolve("train-labels-idx1-ubyte");
        Files.write(images, gunzip(SLICE.resolve("train-images-idx3-ubyte.gz")));
        Files.write(labels, gunzip(SLICE.resolve("train-labels-idx1-ubyte.gz")));
        String plain = dir.resolve("plain").toString(), gz = dir.resolve("gz").toString();
        run(images.toString(), labels.toString(), null, null, plain, 32);
        run(file("train-images-idx3-ubyte.gz"), file("train-labels-idx1-ubyte.gz"), null, null, gz, 32);
        Map<String, ShardRow> a = rowsByKey(plain, jsc().hadoopConfiguration());
        Map<String, ShardRow> b = rowsByKey(gz, jsc().hadoopConfiguration());
        assertEquals(3000, a.size());
        ShardRow row = a.get("train-images-idx3-ubyte#17");
        assertEquals(32, row.height());
        assertEquals(32, row.width());
        assertArrayEquals(row.image(), b.get("train-images-idx3-ubyte.gz#17").image());
        assertEquals(b.get("train-images-idx3-ubyte.gz#17").label(), row.label());
    }

    @Test
    void oneChannelKeepsTheGreyValuesOnceWithTheirOwnStatistics() throws Exception {
        String rgb = dir.resolve("rgb").toString(), grey = dir.resolve("grey").toString();
        ShardJob.Result three = run(file("train-images-idx3-ubyte.gz"), file("train-labels-idx1-ubyte.gz"), null, null,
                rgb, 32, 3);
        ShardJob.Result one = run(file("train-images-idx3-ubyte.gz"), file("train-labels-idx1-ubyte.gz"), null, null,
                grey, 32, 1);
        assertEquals(1, one.manifest().tensor().channels());
        assertEquals(3, three.manifest().tensor().channels());
        assertEquals(three.accounting(), one.accounting());
        double[] mean = one.manifest().normalization().mean(), std = one.manifest().normalization().std();
        assertEquals(1, mean.length);
        assertEquals(1, std.length);
        assertEquals(three.manifest().normalization().mean()[0], mean[0], 1e-9);
        assertEquals(three.manifest().normalization().std()[0], std[0], 1e-9);
        // Fashion-MNIST's published training mean is 0.286 of full scale; these 3,000 images are close to it
        assertEquals(0.286 * 255, mean[0], 0.02 * 255);
        Map<String, ShardRow> a = rowsByKey(rgb, jsc().hadoopConfiguration());
        Map<String, ShardRow> b = rowsByKey(grey, jsc().hadoopConfiguration());
        assertEquals(a.keySet(), b.keySet());
        for (String key : List.of("train-images-idx3-ubyte.gz#0", "train-images-idx3-ubyte.gz#1234")) {
            ShardRow g = b.get(key), c = a.get(key);
            assertEquals(1, g.channels());
            assertEquals(32 * 32, g.image().length);
            for (int p = 0; p < 32 * 32; p++) {
                assertEquals(c.image()[p * 3], g.image()[p], key + " pixel " + p);
            }
            assertEquals(c.label(), g.label());
        }
        ShardJob.Result again = run(file("train-images-idx3-ubyte.gz"), file("train-labels-idx1-ubyte.gz"), null, null,
                grey, 32, 3);
        assertEquals("full", again.increment().mode(), "a change of channels remakes the set");
        assertEquals(3, again.manifest().tensor().channels());
    }

    @Test
    void labelsOutsideTheClassesAreRejectsRowsNamingTheirRecord() throws Exception {
        byte[] labels = gunzip(SLICE.resolve("train-labels-idx1-ubyte.gz"));
        labels[8 + 5] = 10;
        labels[8 + 2999] = (byte) 200;
        Path bad = dir.resolve("labels-idx1-ubyte");
        Files.write(bad, labels);
        ShardJob.Result r = run(file("train-images-idx3-ubyte.gz"), bad.toString(), null, null,
                dir.resolve("shards").toString(), 28);
        assertEquals(3000, r.accounting().inputs());
        assertEquals(2998, r.accounting().written());
        assertEquals(2, r.accounting().rejected());
        List<Reject> rejects = r.rejects();
        assertEquals(bad + "#2999", rejects.get(0).path().replace("file:", ""));
        assertEquals("label 200 outside 0..9", rejects.get(0).reason());
        assertEquals(bad + "#5", rejects.get(1).path().replace("file:", ""));
        assertEquals("label 10 outside 0..9", rejects.get(1).reason());
    }

    static byte[] gunzip(Path gz) throws IOException {
        try (InputStream in = new GZIPInputStream(Files.newInputStream(gz))) {
            return in.readAllBytes();
        }
    }
}
