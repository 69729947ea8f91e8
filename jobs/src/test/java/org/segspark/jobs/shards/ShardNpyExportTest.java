package org.segspark.jobs.shards;

import org.apache.hadoop.conf.Configuration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.segspark.core.shards.ShardFileReader;
import org.segspark.core.shards.ShardRow;
import org.segspark.core.shards.ShardSet;
import org.segspark.jobs.CliRun;
import org.segspark.jobs.bench.SyntheticShards;
import org.segspark.jobs.view.ExternalTool;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The arrays hold the shard rows byte for byte in the manifest's order, and NumPy reads them: a
 * classification set made by {@code preprocess idx} from the real Fashion-MNIST slice, and a
 * segmentation set.
 */
class ShardNpyExportTest {
    static final Path SLICE = Path.of("..", "preprocess", "src", "test", "resources", "data", "fashion_mnist_slice");
    private static final Configuration CONF = new Configuration();

    @TempDir
    Path dir;

    private static List<ShardRow> rows(String shards, String split) throws Exception {
        List<ShardRow> rows = new ArrayList<>();
        for (org.apache.hadoop.fs.Path f : ShardSet.open(shards, CONF).files(split)) {
            try (ShardFileReader r = new ShardFileReader(f, CONF)) {
                rows.addAll(r.readAll());
            }
        }
        return rows;
    }

    /** The .npy header's dict, after checking the magic and that the data starts on a 64-byte boundary. */
    private static String header(byte[] npy) {
        assertEquals((byte) 0x93, npy[0]);
        assertEquals("NUMPY", new String(npy, 1, 5, StandardCharsets.US_ASCII));
        int len = (npy[8] & 0xff) | (npy[9] & 0xff) << 8;
        assertEquals(0, (10 + len) % 64);
        return new String(npy, 10, len, StandardCharsets.US_ASCII).trim();
    }

    private static int dataStart(byte[] npy) {
        return 10 + ((npy[8] & 0xff) | (npy[9] & 0xff) << 8);
    }

    @Test
    void classificationRowsByteForByteAndNumpyReadsThem() throws Exception {
        String shards = dir.resolve("shards").toString(), out = dir.resolve("npy").toString();
        CliRun p = CliRun.of("preprocess", "idx", "--dataset", "fashion-mnist",
                "--images", SLICE.resolve("t10k-images-idx3-ubyte.gz").toString(),
                "--labels", SLICE.resolve("t10k-labels-idx1-ubyte.gz").toString(), "--out", shards, "--size", "16x16",
                "--master", "local[2]");
        assertEquals(0, p.code(), p.err());
        CliRun e = CliRun.of("shards", "export", "--data", shards, "--out", out, "--splits", "train");
        assertEquals(0, e.code(), e.err());
        assertTrue(e.out().contains("train: 1000 examples"), e.out());

        byte[] images = Files.readAllBytes(Path.of(out, "train-images.npy"));
        byte[] labels = Files.readAllBytes(Path.of(out, "train-labels.npy"));
        assertEquals("{'descr': '|u1', 'fortran_order': False, 'shape': (1000, 16, 16, 3), }", header(images));
        assertEquals("{'descr': '<i8', 'fortran_order': False, 'shape': (1000,), }", header(labels));
        List<ShardRow> rows = rows(shards, "train");
        List<String> keys = Files.readAllLines(Path.of(out, "train-keys.txt"));
        ByteBuffer lb = ByteBuffer.wrap(labels, dataStart(labels), 8000).order(ByteOrder.LITTLE_ENDIAN);
        int at = dataStart(images), plane = 16 * 16 * 3;
        for (int i = 0; i < rows.size(); i++) {
            assertEquals(rows.get(i).key(), keys.get(i));
            assertEquals(rows.get(i).label(), lb.getLong());
            assertArrayEquals(rows.get(i).image(), Arrays.copyOfRange(images, at + i * plane, at + (i + 1) * plane));
        }
        assertEquals(at + 1000 * plane, images.length);

        Path python = ExternalTool.require("/usr/bin/python3");
        ExternalTool.Result r = ExternalTool.run(List.of(python.toString(), "-c", "import numpy, sys; "
                + "a = numpy.load(sys.argv[1] + '/train-images.npy'); l = numpy.load(sys.argv[1] + '/train-labels.npy'); "
                + "print(a.shape, a.dtype, l.dtype, int(a.sum()), ' '.join(map(str, numpy.bincount(l))))", out),
                Map.of(), dir, 120);
        assertEquals(0, r.code(), r.err());
        long sum = 0;
        for (int i = dataStart(images); i < images.length; i++) {
            sum += images[i] & 0xff;
        }
        // the slice's test label counts, from its PROVENANCE.txt
        assertEquals("(1000, 16, 16, 3) uint8 int64 " + sum + " 107 105 111 93 115 87 97 95 95 95", r.out().trim());
    }

    @Test
    void segmentationMasksFollowTheirImages() throws Exception {
        String shards = dir.resolve("seg").toString(), out = dir.resolve("npy").toString();
        SyntheticShards.write(shards, 40, 8, 3, 16, 7, CONF);
        ShardNpyExport.ExportInfo info = ShardNpyExport.write(shards, List.of("train"), out, CONF, false);
        assertEquals("train-masks.npy", info.splits().get(0).targets());
        byte[] masks = Files.readAllBytes(Path.of(out, "train-masks.npy"));
        assertEquals("{'descr': '|u1', 'fortran_order': False, 'shape': (40, 8, 8), }", header(masks));
        List<ShardRow> rows = rows(shards, "train");
        int at = dataStart(masks);
        for (int i = 0; i < rows.size(); i++) {
            assertArrayEquals(rows.get(i).mask(), Arrays.copyOfRange(masks, at + i * 64, at + (i + 1) * 64));
        }
    }
}
