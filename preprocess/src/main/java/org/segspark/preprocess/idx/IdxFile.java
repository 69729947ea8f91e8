package org.segspark.preprocess.idx;

import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FSDataInputStream;
import org.apache.hadoop.fs.Path;
import org.segspark.core.io.HadoopFiles;

import java.io.BufferedInputStream;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.Serializable;
import java.util.zip.GZIPInputStream;

/**
 * One unsigned-byte IDX file of the MNIST family (MNIST, Fashion-MNIST, KMNIST), gzipped or not:
 * a big-endian header of two zero bytes, the element type (0x08, unsigned byte), the rank, then
 * one 32-bit size per dimension, followed by the elements. Labels are rank 1 [count], images rank
 * 3 [count, rows, cols]. Opening one checks the header and that the file holds exactly what the
 * header promises, so a short or padded file fails on the driver, naming the file and the offset.
 *
 * @param path    the file
 * @param gzipped whether it is a gzip stream (told by its first two bytes, not its name)
 * @param count   records: labels or images
 * @param rows    image rows (1 for labels)
 * @param cols    image columns (1 for labels)
 */
public record IdxFile(String path, boolean gzipped, int rank, long count, int rows, int cols) implements Serializable {
    static final int UNSIGNED_BYTE = 0x08;
    /** Image sides beyond this are not an MNIST-family file (and would overflow a record's bytes). */
    static final int MAX_SIDE = 8192;

    /** Bytes of one record: one label, or one image. */
    public int recordBytes() {
        return rows * cols;
    }

    /** Where the elements start. */
    public long dataOffset() {
        return 4L + 4L * rank;
    }

    /** Reads and checks the header of {@code path}, and its length against it. */
    public static IdxFile open(String path, Configuration conf) throws IOException {
        Path p = HadoopFiles.path(path);
        HadoopFiles.requireRegularFile(p);
        boolean gzipped;
        try (FSDataInputStream raw = HadoopFiles.fs(p, conf).open(p)) {
            gzipped = raw.read() == 0x1f && raw.read() == 0x8b;
        }
        try (DataInputStream in = new DataInputStream(stream(p, gzipped, conf))) {
            int magic = readInt(in, path, 0, "the magic number");
            if ((magic >>> 16) != 0) {
                throw new IdxFormatException(String.format("%s: not an IDX file: magic number 0x%08x at offset 0 "
                        + "(an IDX file starts with two zero bytes, its element type and its rank: 0x00000801 for "
                        + "labels, 0x00000803 for images)", path, magic));
            }
            int type = (magic >>> 8) & 0xff, rank = magic & 0xff;
            if (type != UNSIGNED_BYTE) {
                throw new IdxFormatException(String.format("%s: element type 0x%02x at offset 2; only unsigned bytes "
                        + "(0x08) are supported, as in MNIST, Fashion-MNIST and KMNIST", path, type));
            }
            if (rank != 1 && rank != 3) {
                throw new IdxFormatException(path + ": rank " + rank + " at offset 3; labels have rank 1 and images "
                        + "rank 3 [count, rows, cols]");
            }
            long count = readSize(in, path, 4, "the record count");
            int rows = 1, cols = 1;
            if (rank == 3) {
                rows = side(readSize(in, path, 8, "the row count"), path, 8);
                cols = side(readSize(in, path, 12, "the column count"), path, 12);
            }
            IdxFile f = new IdxFile(path, gzipped, rank, count, rows, cols);
            long expected = count * f.recordBytes();
            long found = gzipped ? in.transferTo(OutputStream.nullOutputStream())
                    : HadoopFiles.fs(p, conf).getFileStatus(p).getLen() - f.dataOffset();
            if (found < expected) {
                long end = f.dataOffset() + found;
                throw new IdxFormatException(String.format("%s: short file: its header promises %,d records of %,d "
                        + "bytes from offset %d, but the data ends at offset %,d, inside record %,d%s", path, count,
                        f.recordBytes(), f.dataOffset(), end, found / f.recordBytes(), gzipped ? " (uncompressed)" : ""));
            }
            if (found > expected) {
                throw new IdxFormatException(String.format("%s: %,d bytes after the last of the %,d records its header "
                        + "promises (from offset %,d%s); not an IDX file as written", path, found - expected, count,
                        f.dataOffset() + expected, gzipped ? ", uncompressed" : ""));
            }
            return f;
        }
    }

    /** Records [first, first + n) as one array of n * recordBytes() bytes. */
    public byte[] read(long first, int n, Configuration conf) throws IOException {
        Path p = HadoopFiles.path(path);
        byte[] bytes = new byte[Math.multiplyExact(n, recordBytes())];
        long at = dataOffset() + first * recordBytes();
        if (!gzipped) {
            try (FSDataInputStream in = HadoopFiles.fs(p, conf).open(p)) {
                in.readFully(at, bytes);
            }
            return bytes;
        }
        // a gzip stream has no index: a chunk decompresses from the start (Fashion-MNIST's training
        // images, 47 MB uncompressed, take about 0.2 s)
        try (InputStream in = stream(p, true, conf)) {
            in.skipNBytes(at);
            int got = in.readNBytes(bytes, 0, bytes.length);
            if (got < bytes.length) {
                throw new EOFException(path + ": ends at offset " + (at + got) + " (uncompressed), inside record "
                        + (first + got / recordBytes()) + "; the file changed after it was checked");
            }
        }
        return bytes;
    }

    private static InputStream stream(Path p, boolean gzipped, Configuration conf) throws IOException {
        InputStream in = new BufferedInputStream(HadoopFiles.fs(p, conf).open(p), 1 << 16);
        return gzipped ? new GZIPInputStream(in, 1 << 16) : in;
    }

    private static int readInt(DataInputStream in, String path, long offset, String what) throws IOException {
        try {
            return in.readInt();
        } catch (EOFException e) {
            throw new IdxFormatException(path + ": short file: it ends before " + what + " at offset " + offset);
        }
    }

    private static long readSize(DataInputStream in, String path, long offset, String what) throws IOException {
        return Integer.toUnsignedLong(readInt(in, path, offset, what));
    }

    private static int side(long v, String path, long offset) throws IdxFormatException {
        if (v < 1 || v > MAX_SIDE) {
            throw new IdxFormatException(path + ": image side " + v + " at offset " + offset + " outside 1.." + MAX_SIDE);
        }
        return (int) v;
    }
}
