package org.segspark.jobs.features;

import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.broadcast.Broadcast;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.nd4j.linalg.api.memory.MemoryWorkspace;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.segspark.core.io.HadoopFiles;
import org.segspark.core.io.OutputFolder;
import org.segspark.core.io.SerializableConf;
import org.segspark.core.json.Json;
import org.segspark.core.shards.ShardFormat;
import org.segspark.core.shards.ShardRow;
import org.segspark.core.shards.ShardSet;
import org.segspark.core.text.Figures;
import org.segspark.jobs.data.InputNormalizer;
import org.segspark.jobs.data.ShardBatchLoader;
import org.segspark.models.graph.EncoderSplit;
import org.segspark.models.layers.NativeSpeed;
import org.segspark.models.registry.SavedNetworks;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.io.Serializable;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * A fixed encoder's outputs for every training example, computed once so the decoder trains alone
 * from them epoch after epoch (see {@link EncoderSplit}). The cache is a folder on any Hadoop file
 * system: {@code features.json} (its {@link Manifest}, written last) and one {@link FeatureFile} per
 * training row group under {@code data/}. It is valid for one encoder (its configuration and
 * parameters), one shard set, one input normalisation and the orientations training uses (with
 * horizontal flips both the image and its mirror image are encoded, so the cached run sees the
 * same mirrored examples as the plain one); a cache made for anything else is replaced.
 * The executors compute it in parallel, each row group once.
 */
public final class FeatureCache {
    public static final String MANIFEST = "features.json";
    public static final OutputFolder.Kind KIND = new OutputFolder.Kind("features", MANIFEST);
    /** Rows encoded at once: bounds the encoder's activation memory (a VGG16 block at 256x256 is 16 MB per image). */
    private static final int CHUNK = 8;

    private FeatureCache() {
    }

    /** One cached tensor: the encoder vertex (or network input) it comes from and its [channels, height, width]. */
    public record Tensor(String name, long[] shape) implements Serializable {
        long elements() {
            long n = 1;
            for (long d : shape) {
                n *= d;
            }
            return n;
        }
    }

    /**
     * What {@code features.json} records.
     *
     * @param encoderSha256 of the encoder's configuration, parameters and input normalisation
     * @param orientations  1, or 2 when mirrored images are encoded too
     * @param files         feature file name by shard row group reference
     */
    public record Manifest(int formatVersion, String model, String shards, String shardsManifestSha256,
                           String encoderSha256, List<Tensor> tensors, int orientations, Map<String, String> files,
                           long examples, long bytes, double computeSeconds, String created) implements Serializable {
    }

    /** A cache ready for training: where it is and what it holds. */
    public record Prepared(String root, Manifest manifest) implements Serializable {
    }

    /**
     * The cache at {@code location} for this encoder and these row groups: reused when it matches,
     * else computed (on the executors when {@code jsc} is given, else here).
     *
     * @param plain a loader without shuffling or flips: how training normalises an image
     */
    public static Prepared prepare(String location, Configuration conf, JavaSparkContext jsc, int workers,
                                   EncoderSplit split, ComputationGraph net, String model, ShardSet shards,
                                   List<ShardSet.RowGroup> groups, ShardBatchLoader plain, boolean flip,
                                   PrintStream console) throws IOException {
        OutputFolder.claim(location, conf, KIND, false, "feature-cache");
        Path root = HadoopFiles.path(location);
        FileSystem fs = HadoopFiles.fs(root, conf);
        ComputationGraph encoder = split.encoder(net);
        String encoderSha = encoderSha256(encoder, plain);
        String shardsSha = HadoopFiles.sha256(new Path(shards.root(), ShardFormat.MANIFEST), conf);
        int orientations = flip ? 2 : 1;
        Map<String, String> files = new LinkedHashMap<>();
        for (ShardSet.RowGroup g : groups) {
            String name = new Path(g.file()).getName();
            files.put(g.ref(), name.substring(0, name.length() - ".parquet".length()) + "-g" + g.index() + ".parquet");
        }
        Path manifestPath = new Path(root, MANIFEST);
        if (fs.exists(manifestPath)) {
            Manifest old = Json.read(HadoopFiles.readAll(manifestPath, conf), Manifest.class);
            String why = mismatch(old, encoderSha, shardsSha, orientations, files, split);
            if (why == null && allPresent(fs, root, files)) {
                console.printf(Locale.ROOT, "feature cache %s: reusing %s examples x %d orientation%s (%s)%n", location,
                        Figures.count(old.examples()), orientations, orientations == 1 ? "" : "s", Figures.bytes(old.bytes()));
                return new Prepared(location, old);
            }
            console.printf(Locale.ROOT, "feature cache %s was made for %s; computing it again%n", location,
                    why == null ? "files that are gone" : why);
            fs.delete(manifestPath, false);
        }
        fs.delete(new Path(root, "data"), true);
        fs.mkdirs(new Path(root, "data"));

        long t0 = System.nanoTime();
        List<Task> tasks = new ArrayList<>();
        files.forEach((ref, file) -> tasks.add(new Task(ref, new Path(new Path(root, "data"), file).toString())));
        Encode encode = new Encode(split, plain, flip, new SerializableConf(conf));
        List<Written> written;
        if (jsc == null) {
            written = new ArrayList<>();
            for (Task t : tasks) {
                written.add(encode.run(encoder, t));
            }
        } else {
            Broadcast<byte[]> shipped = jsc.broadcast(SavedNetworks.bytes(encoder, false));
            try {
                written = jsc.parallelize(tasks, Math.max(1, Math.min(workers, tasks.size())))
                        .mapPartitions(it -> {
                            ComputationGraph e = SavedNetworks.restore(new ByteArrayInputStream(shipped.value()), false);
                            List<Written> out = new ArrayList<>();
                            while (it.hasNext()) {
                                out.add(encode.run(e, it.next()));
                            }
                            return out.iterator();
                        }).collect();
            } finally {
                shipped.destroy();
            }
        }
        long examples = written.stream().mapToLong(Written::examples).sum();
        long bytes = written.stream().mapToLong(Written::bytes).sum();
        List<Tensor> tensors = written.isEmpty() ? List.of() : written.get(0).tensors();
        double seconds = (System.nanoTime() - t0) / 1e9;
        Manifest m = new Manifest(FeatureFile.VERSION, model, shards.root().toString(), shardsSha, encoderSha, tensors,
                orientations, files, examples, bytes, seconds, Instant.now().toString());
        HadoopFiles.writeAtomically(manifestPath, conf, Json.pretty(m));
        console.printf(Locale.ROOT, "feature cache %s: encoded %s examples x %d orientation%s in %s (%s, %s per example)%n",
                location, Figures.count(examples), orientations, orientations == 1 ? "" : "s", Figures.duration(seconds),
                Figures.bytes(bytes), Figures.bytes(examples == 0 ? 0 : bytes / (examples * orientations)));
        return new Prepared(location, m);
    }

    /** Why an existing cache does not fit, or null when it does. */
    private static String mismatch(Manifest old, String encoderSha, String shardsSha, int orientations,
                                   Map<String, String> files, EncoderSplit split) {
        if (old.formatVersion() != FeatureFile.VERSION) {
            return "format version " + old.formatVersion();
        }
        if (!old.encoderSha256().equals(encoderSha)) {
            return "another encoder (or input normalisation)";
        }
        if (!old.shardsManifestSha256().equals(shardsSha) || !old.files().equals(files)) {
            return "other shards (" + old.shards() + ")";
        }
        if (old.orientations() != orientations) {
            return old.orientations() == 1 ? "training without flips" : "training with flips";
        }
        if (!old.tensors().stream().map(Tensor::name).toList().equals(split.frontier())) {
            return "another cut of the network";
        }
        return null;
    }

    private static boolean allPresent(FileSystem fs, Path root, Map<String, String> files) throws IOException {
        for (String f : files.values()) {
            if (!fs.exists(new Path(new Path(root, "data"), f))) {
                return false;
            }
        }
        return true;
    }

    /** One row group to encode, and the feature file it goes to. */
    record Task(String group, String file) implements Serializable {
    }

    /** What one task wrote. */
    record Written(long examples, long bytes, List<Tensor> tensors) implements Serializable {
    }

    /** Encodes row groups into feature files: on the driver, or inside a Spark task. */
    record Encode(EncoderSplit split, ShardBatchLoader plain, boolean flip, SerializableConf conf) implements Serializable {
        Written run(ComputationGraph encoder, Task task) throws IOException {
            if (plain.threadsPerTask() > 0) {
                NativeSpeed.setThreads(plain.threadsPerTask());
            }
            List<ShardRow> rows = ShardSet.readRowGroup(task.group(), conf.get());
            List<Tensor> tensors = null;
            long bytes = 0;
            try (MemoryWorkspace ignored = Nd4j.getWorkspaceManager().scopeOutOfWorkspaces()) {
                List<List<float[]>> straight = new ArrayList<>(), mirrored = new ArrayList<>();
                for (int from = 0; from < rows.size(); from += CHUNK) {
                    List<ShardRow> chunk = rows.subList(from, Math.min(rows.size(), from + CHUNK));
                    INDArray x = plain.toDataSet(chunk).getFeatures(0);
                    INDArray xm = flip ? mirror(x) : null;
                    INDArray[] f = split.features(encoder, x);
                    tensors = tensors == null ? tensorsOf(split.frontier(), f) : tensors;
                    straight.addAll(perExample(f));
                    if (flip) {
                        mirrored.addAll(perExample(split.features(encoder, xm)));
                    }
                    release(x);
                    release(xm);
                }
                long perRow = 4L + 64;
                for (Tensor t : tensors) {
                    perRow += 4 + 4 * t.elements();
                }
                try (FeatureFile.Writer w = new FeatureFile.Writer(new Path(task.file()), conf.get(), tensors.size(), perRow)) {
                    for (int i = 0; i < rows.size(); i++) {
                        w.write(rows.get(i).key(), false, straight.get(i));
                        bytes += perRow;
                        if (flip) {
                            w.write(rows.get(i).key(), true, mirrored.get(i));
                            bytes += perRow;
                        }
                    }
                }
            }
            return new Written(rows.size(), bytes, tensors);
        }
    }

    private static List<Tensor> tensorsOf(List<String> names, INDArray[] f) {
        List<Tensor> t = new ArrayList<>();
        for (int i = 0; i < f.length; i++) {
            long[] s = f[i].shape();
            long[] perExample = new long[s.length - 1];
            System.arraycopy(s, 1, perExample, 0, perExample.length);
            t.add(new Tensor(names.get(i), perExample));
        }
        return t;
    }

    /**
     * Each example's tensors as flat C-order arrays; frees {@code f}'s native memory, which the
     * garbage collector would otherwise reclaim only after gigabytes of it piled up (the heap sees
     * a few bytes per array).
     */
    private static List<List<float[]>> perExample(INDArray[] f) {
        int n = (int) f[0].size(0);
        List<List<float[]>> out = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            out.add(new ArrayList<>());
        }
        for (INDArray a : f) {
            INDArray c = a.isView() || a.ordering() != 'c' ? a.dup('c') : a;
            float[] all = c.data().asFloat();
            if (c != a) {
                c.close();
            }
            release(a);
            int each = all.length / n;
            for (int i = 0; i < n; i++) {
                float[] one = new float[each];
                System.arraycopy(all, i * each, one, 0, each);
                out.get(i).add(one);
            }
        }
        return out;
    }

    /** Frees an array's native memory now (an encoder output may also be its input: once is enough). */
    private static void release(INDArray a) {
        if (a != null && !a.wasClosed() && a.closeable()) {
            a.close();
        }
    }

    /** The images [n, c, h, w] (a fresh C-order array) mirrored left-right, as training's flips mirror them. */
    private static INDArray mirror(INDArray x) {
        float[] v = x.data().asFloat();
        ShardBatchLoader.mirror(v, 0, (int) (x.size(0) * x.size(1) * x.size(2)), (int) x.size(3));
        return Nd4j.create(v, x.shape(), 'c');
    }

    private static String encoderSha256(ComputationGraph encoder, ShardBatchLoader plain) {
        try {
            MessageDigest d = MessageDigest.getInstance("SHA-256");
            d.update(encoder.getConfiguration().toJson().getBytes(StandardCharsets.UTF_8));
            d.update(FeatureFile.bytes(encoder.params().dup('c').data().asFloat()));
            InputNormalizer n = plain.normalizer();
            d.update((n.mode() + " " + Arrays.toString(n.mean()) + " " + Arrays.toString(n.std()))
                    .getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(d.digest());
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
