package org.segspark.jobs.shards;

import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FSDataOutputStream;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.segspark.core.io.HadoopFiles;
import org.segspark.core.io.OutputFolder;
import org.segspark.core.shards.ShardFileReader;
import org.segspark.core.shards.ShardManifest;
import org.segspark.core.shards.ShardRow;
import org.segspark.core.shards.ShardSet;
import org.segspark.jobs.run.RunDirectory;

import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.stream.Collectors;

/**
 * {@code segspark shards export}: the splits of a shard set as NumPy arrays, so a tool without a
 * Parquet reader trains on exactly the tensors segspark trains on (the PyTorch peers in bench/).
 * Per split, in the manifest's file and row order: {@code <split>-images.npy} (uint8 [N, H, W, C]),
 * {@code <split>-labels.npy} (int64 [N]) for classification or {@code <split>-masks.npy} (uint8
 * [N, H, W]) for segmentation, and {@code <split>-keys.txt} (one key per row); {@code export.json}
 * holds the manifest's classes, normalisation and tensor.
 */
public final class ShardNpyExport {
    public static final String INFO = "export.json";
    public static final OutputFolder.Kind KIND = new OutputFolder.Kind("npy export", INFO);

    private ShardNpyExport() {
    }

    /** What export.json records. */
    public record ExportInfo(String shards, String task, List<String> classes, ShardManifest.Tensor tensor,
                             ShardManifest.Normalization normalization, List<SplitFiles> splits) {
    }

    /** One exported split. */
    public record SplitFiles(String split, long examples, String images, String targets, String keys) {
    }

    public static ExportInfo write(String shards, List<String> splits, String out, Configuration conf, boolean force)
            throws IOException {
        ShardSet set = ShardSet.open(shards, conf);
        ShardManifest m = set.manifest();
        for (String split : splits) {
            if (!m.splits().containsKey(split)) {
                throw new IllegalArgumentException(shards + " has no " + split + " split (it has " + m.splits().keySet() + ")");
            }
        }
        set.verify(conf);
        RunDirectory dir = RunDirectory.claim(out, conf, KIND, force, "--out");
        boolean classification = ShardManifest.CLASSIFICATION.equals(m.task());
        ShardManifest.Tensor t = m.tensor();
        List<SplitFiles> written = new ArrayList<>();
        for (String split : splits) {
            long n = m.splits().get(split).examples();
            String images = split + "-images.npy", targets = split + (classification ? "-labels.npy" : "-masks.npy");
            String keys = split + "-keys.txt";
            try (StagedFile im = StagedFile.npy(dir.path(images), conf, "|u1", n, t.height(), t.width(), t.channels());
                 StagedFile tg = classification ? StagedFile.npy(dir.path(targets), conf, "<i8", n)
                         : StagedFile.npy(dir.path(targets), conf, "|u1", n, t.height(), t.width());
                 StagedFile ks = new StagedFile(dir.path(keys), conf)) {
                long rows = 0;
                for (Path file : set.files(split)) {
                    try (ShardFileReader r = new ShardFileReader(file, conf)) {
                        for (ShardRow row : r.readAll()) {
                            im.write(row.image());
                            if (classification) {
                                tg.write(ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(row.label()).array());
                            } else {
                                tg.write(row.mask());
                            }
                            ks.write((row.key() + "\n").getBytes(StandardCharsets.UTF_8));
                            rows++;
                        }
                    }
                }
                if (rows != n) {
                    throw new IOException(shards + ": the manifest lists " + n + " " + split + " examples but its files hold "
                            + rows + "; nothing was exported for " + split);
                }
                im.commit();
                tg.commit();
                ks.commit();
            }
            written.add(new SplitFiles(split, n, images, targets, keys));
        }
        ExportInfo info = new ExportInfo(shards, m.task(), m.classes(), t, m.normalization(), written);
        dir.writeJson(INFO, info);
        return info;
    }

    /** A file written to a temporary name and renamed on commit, so a failed export leaves no half array. */
    private static final class StagedFile implements AutoCloseable {
        private final FileSystem fs;
        private final Path target;
        private final Path tmp;
        private final OutputStream out;
        private boolean committed;

        StagedFile(Path target, Configuration conf) throws IOException {
            this.fs = HadoopFiles.fs(target, conf);
            this.target = target;
            this.tmp = HadoopFiles.stagingPath(target);
            FSDataOutputStream raw = fs.create(tmp, true);
            this.out = new BufferedOutputStream(raw, 1 << 20);
        }

        /** An .npy file (format version 1.0) of C-ordered elements of type {@code descr}; the elements follow. */
        static StagedFile npy(Path target, Configuration conf, String descr, long... shape) throws IOException {
            StagedFile f = new StagedFile(target, conf);
            f.write(npyHeader(descr, shape));
            return f;
        }

        /** Magic, version 1.0, the header's length, then the header dict padded to a multiple of 64 bytes. */
        static byte[] npyHeader(String descr, long... shape) {
            // a Python tuple: (N,) for one dimension, (N, H, W) for more
            String dims = Arrays.stream(shape).mapToObj(Long::toString).collect(Collectors.joining(", "))
                    + (shape.length == 1 ? "," : "");
            String dict = String.format(Locale.ROOT, "{'descr': '%s', 'fortran_order': False, 'shape': (%s), }", descr, dims);
            int unpadded = 10 + dict.length() + 1;
            int len = dict.length() + 1 + (64 - unpadded % 64) % 64;
            byte[] h = new byte[10 + len];
            byte[] magic = {(byte) 0x93, 'N', 'U', 'M', 'P', 'Y', 1, 0, (byte) (len & 0xff), (byte) (len >>> 8)};
            System.arraycopy(magic, 0, h, 0, 10);
            byte[] d = (dict + " ".repeat(len - dict.length() - 1) + "\n").getBytes(StandardCharsets.US_ASCII);
            System.arraycopy(d, 0, h, 10, d.length);
            return h;
        }

        void write(byte[] bytes) throws IOException {
            out.write(bytes);
        }

        void commit() throws IOException {
            out.close();
            HadoopFiles.commit(fs, tmp, target);
            committed = true;
        }

        @Override
        public void close() throws IOException {
            if (!committed) {
                out.close();
                fs.delete(tmp, false);
            }
        }
    }
}
