package org.segspark.preprocess.idx;

import org.apache.hadoop.conf.Configuration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.zip.GZIPOutputStream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Every way an IDX file or pair can be wrong fails on the driver with the file and the offset in the message. */
class IdxFileTest {
    private static final Configuration CONF = new Configuration();

    @TempDir
    Path dir;

    /** An IDX file: the magic number for unsigned bytes and the rank, the dimensions, then the bytes. */
    static byte[] idx(int[] dims, byte[] data) {
        ByteBuffer b = ByteBuffer.allocate(4 + 4 * dims.length + data.length);
        b.putInt(0x0800 | dims.length);
        for (int d : dims) {
            b.putInt(d);
        }
        b.put(data);
        return b.array();
    }

    static byte[] gzip(byte[] bytes) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (GZIPOutputStream gz = new GZIPOutputStream(out)) {
            gz.write(bytes);
        }
        return out.toByteArray();
    }

    private String write(String name, byte[] bytes) throws IOException {
        Path p = dir.resolve(name);
        Files.write(p, bytes);
        return p.toString();
    }

    private static byte[] ramp(int n) {
        byte[] b = new byte[n];
        for (int i = 0; i < n; i++) {
            b[i] = (byte) (i * 7);
        }
        return b;
    }

    private String failure(String path) {
        return assertThrows(IdxFormatException.class, () -> IdxFile.open(path, CONF)).getMessage();
    }

    @Test
    void readsRecordRangesOfPlainAndGzippedFiles() throws Exception {
        byte[] data = ramp(5 * 3 * 4);
        for (String f : new String[] {write("im", idx(new int[] {5, 3, 4}, data)),
                write("im.gz", gzip(idx(new int[] {5, 3, 4}, data)))}) {
            IdxFile file = IdxFile.open(f, CONF);
            assertEquals(f.endsWith(".gz"), file.gzipped());
            assertEquals(5, file.count());
            assertEquals(3, file.rows());
            assertEquals(4, file.cols());
            assertEquals(16, file.dataOffset());
            assertArrayEquals(Arrays.copyOfRange(data, 24, 48), file.read(2, 2, CONF));
        }
    }

    @Test
    void aWrongHeaderNamesTheFileAndTheOffset() throws Exception {
        String png = write("picture.png", new byte[] {(byte) 0x89, 'P', 'N', 'G', 0, 0, 0, 13});
        assertTrue(failure(png).startsWith(png + ": not an IDX file: magic number 0x89504e47 at offset 0"), failure(png));
        byte[] ints = idx(new int[] {2}, new byte[8]);
        ints[2] = 0x0c;
        String f = write("ints", ints);
        assertTrue(failure(f).contains(f + ": element type 0x0c at offset 2"), failure(f));
        String rank2 = write("rank2", idx(new int[] {2, 3}, new byte[6]));
        assertTrue(failure(rank2).contains("rank 2 at offset 3"), failure(rank2));
        String cut = write("cut", Arrays.copyOf(idx(new int[] {2, 28, 28}, new byte[2 * 784]), 10));
        assertTrue(failure(cut).contains(cut + ": short file: it ends before the row count at offset 8"), failure(cut));
        String wide = write("wide", idx(new int[] {1, 28, 100_000}, new byte[0]));
        assertTrue(failure(wide).contains("image side 100000 at offset 12 outside 1..8192"), failure(wide));
    }

    @Test
    void aShortOrPaddedFileNamesWhereItsDataEnds() throws Exception {
        byte[] whole = idx(new int[] {3, 2, 2}, ramp(12));
        String shortFile = write("short", Arrays.copyOf(whole, whole.length - 3));
        assertEquals(shortFile + ": short file: its header promises 3 records of 4 bytes from offset 16, but the data "
                + "ends at offset 25, inside record 2", failure(shortFile));
        String shortGz = write("short.gz", gzip(Arrays.copyOf(whole, whole.length - 5)));
        assertTrue(failure(shortGz).endsWith("ends at offset 23, inside record 1 (uncompressed)"), failure(shortGz));
        String padded = write("padded", Arrays.copyOf(whole, whole.length + 2));
        assertTrue(failure(padded).startsWith(padded + ": 2 bytes after the last of the 3 records its header promises "
                + "(from offset 28)"), failure(padded));
    }

    @Test
    void aPairMustHoldOneLabelPerImage() throws Exception {
        String images = write("images", idx(new int[] {3, 2, 2}, ramp(12)));
        String labels = write("labels", idx(new int[] {4}, new byte[4]));
        String m = assertThrows(IdxFormatException.class, () -> IdxPairs.plan(images, labels, "train", CONF)).getMessage();
        assertEquals(images + " holds 3 images (offset 4) but " + labels + " holds 4 labels: they are not one data "
                + "set's pair", m);
        String swapped = assertThrows(IdxFormatException.class,
                () -> IdxPairs.plan(labels, images, "train", CONF)).getMessage();
        assertTrue(swapped.contains("are --images and --labels swapped?"), swapped);
    }

    @Test
    void aLargePairIsCutIntoChunks() throws Exception {
        int n = IdxPairs.CHUNK * 2 + 3;
        String images = write("images.gz", gzip(idx(new int[] {n, 1, 1}, ramp(n))));
        String labels = write("labels", idx(new int[] {n}, new byte[n]));
        var chunks = IdxPairs.plan(images, labels, "val", CONF);
        assertEquals(3, chunks.size());
        assertEquals(2L * IdxPairs.CHUNK, chunks.get(2).first());
        assertEquals(3, chunks.get(2).records());
        assertEquals("val", chunks.get(2).split());
        assertArrayEquals(Arrays.copyOfRange(ramp(n), 2 * IdxPairs.CHUNK, n), chunks.get(2).images().read(
                chunks.get(2).first(), chunks.get(2).records(), CONF));
    }
}
