package org.segspark.preprocess.cifar;

import java.io.FileNotFoundException;
import org.segspark.preprocess.io.InputTree;

import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FSDataInputStream;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.segspark.preprocess.image.RgbImage;
import org.segspark.core.io.HadoopFiles;

import java.io.IOException;
import java.io.Serializable;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * CIFAR-10's official binary format: data_batch_1..5.bin (training) and test_batch.bin, each a run
 * of 3073-byte records: one label byte (0-9), then the 32x32 image as three planes, red, green and
 * blue, each 1024 bytes in row-major order. batches.meta.txt, when present, names the classes.
 */
public final class Cifar10Binary {
    public static final int SIDE = 32;
    public static final int RECORD = 1 + 3 * SIDE * SIDE;
    public static final List<String> CLASSES = List.of("airplane", "automobile", "bird", "cat", "deer", "dog", "frog",
            "horse", "ship", "truck");
    public static final String META = "batches.meta.txt";
    /** Records per unit of work: a chunk is read by one executor with one seek. */
    static final int CHUNK = 1000;

    private Cifar10Binary() {
    }

    /** A run of records of one batch file, or (records == 0) a tail shorter than one record. */
    public record Chunk(String file, String split, long first, int records, int tailBytes) implements Serializable {
    }

    /** Chunks of every batch file present under {@code root}; fails when there is none. */
    public static List<Chunk> plan(String root, Configuration conf) throws IOException {
        Path dir = HadoopFiles.path(root);
        FileSystem fs = HadoopFiles.fs(dir, conf);
        InputTree.requireFolder(root, conf, "--input");
        List<Chunk> chunks = new ArrayList<>();
        List<String> names = new ArrayList<>();
        for (int i = 1; i <= 5; i++) {
            names.add("data_batch_" + i + ".bin");
        }
        names.add("test_batch.bin");
        for (String name : names) {
            Path p = new Path(dir, name);
            if (!fs.exists(p)) {
                continue;
            }
            HadoopFiles.requireRegularFile(p);
            String split = name.startsWith("test") ? "val" : "train";
            long size = fs.getFileStatus(p).getLen();
            long n = size / RECORD;
            for (long first = 0; first < n; first += CHUNK) {
                chunks.add(new Chunk(p.toString(), split, first, (int) Math.min(CHUNK, n - first), 0));
            }
            int tail = (int) (size % RECORD);
            if (tail > 0) {
                chunks.add(new Chunk(p.toString(), split, n, 0, tail));
            }
        }
        if (chunks.isEmpty()) {
            throw new FileNotFoundException(root + " holds no CIFAR-10 batch files (data_batch_1.bin .. "
                    + "data_batch_5.bin, test_batch.bin)");
        }
        return chunks;
    }

    /** Class names from batches.meta.txt when present (one per line), else CIFAR-10's. */
    public static List<String> classes(String root, Configuration conf) throws IOException {
        Path meta = new Path(HadoopFiles.path(root), META);
        if (!HadoopFiles.fs(meta, conf).exists(meta)) {
            return CLASSES;
        }
        List<String> names = new ArrayList<>();
        for (String line : new String(HadoopFiles.readAll(meta, conf), StandardCharsets.UTF_8).split("\n")) {
            if (!line.isBlank()) {
                names.add(line.strip());
            }
        }
        return names.isEmpty() ? CLASSES : names;
    }

    /** The records of a chunk, read with one seek. */
    public static byte[] read(Chunk c, Configuration conf) throws IOException {
        Path p = new Path(c.file());
        byte[] bytes = new byte[c.records() * RECORD];
        HadoopFiles.requireRegularFile(p);
        try (FSDataInputStream in = HadoopFiles.fs(p, conf).open(p)) {
            in.readFully(c.first() * RECORD, bytes);
        }
        return bytes;
    }

    /** Record {@code i} of {@code bytes} as an RGB image (HWC). */
    public static RgbImage image(byte[] bytes, int i) {
        int base = i * RECORD + 1, plane = SIDE * SIDE;
        byte[] rgb = new byte[plane * 3];
        for (int p = 0; p < plane; p++) {
            rgb[p * 3] = bytes[base + p];
            rgb[p * 3 + 1] = bytes[base + plane + p];
            rgb[p * 3 + 2] = bytes[base + 2 * plane + p];
        }
        return new RgbImage(SIDE, SIDE, rgb);
    }

    public static int label(byte[] bytes, int i) {
        return bytes[i * RECORD] & 0xff;
    }
}
