package org.segspark.preprocess.job;

import com.fasterxml.jackson.databind.JsonNode;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.spark.TaskContext;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.segspark.preprocess.BuildInfo;
import org.segspark.preprocess.io.Accounting;
import org.segspark.preprocess.io.HadoopFiles;
import org.segspark.preprocess.io.Reject;
import org.segspark.preprocess.io.RejectsTable;
import org.segspark.preprocess.io.SerializableConf;
import org.segspark.preprocess.shards.ShardFormat;
import org.segspark.preprocess.shards.ShardManifest;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.UUID;

/**
 * The one code path from source items to a committed shard set, shared by every data source.
 * Executors read and convert their items and write shard files; the driver sees only metadata,
 * writes the rejects table, checks that inputs = written + rejected, and commits by writing the
 * manifest last.
 */
public final class ShardJob {
    static final long ROW_ORDER_SEED = 0x5e65_9a7cL;

    private ShardJob() {
    }

    /** What a source contributes to the manifest besides its rows. */
    public record Spec(ShardJobOptions options, String task, List<String> classes, Map<String, Object> source,
                       JsonNode config) {
    }

    /** The committed manifest and the run's books. */
    public record Result(ShardManifest manifest, Accounting accounting, List<Reject> rejects) {
    }

    public static <T> Result run(JavaSparkContext jsc, List<T> items, ExampleMaker<T> maker, Spec spec,
                                 List<Reject> driverRejects) throws IOException {
        ShardJobOptions options = spec.options();
        Configuration conf = jsc.hadoopConfiguration();
        Path root = HadoopFiles.path(options.out());
        FileSystem fs = HadoopFiles.fs(root, conf);
        fs.mkdirs(new Path(root, ShardFormat.DATA_DIR));
        String runId = DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss'Z'").withZone(ZoneOffset.UTC).format(Instant.now())
                + "-" + UUID.randomUUID().toString().substring(0, 8);

        int parallelism = jsc.defaultParallelism();
        int byShardSize = (int) Math.ceil(items.size() / (double) options.shardRows());
        int partitions = Math.max(1, Math.min(items.size(), Math.max(byShardSize, parallelism * 4)));
        boolean masks = ShardManifest.SEGMENTATION.equals(spec.task());
        int numClasses = spec.classes().size();
        SerializableConf sconf = new SerializableConf(conf);

        // Sources list their items in an order (sorted paths: one class after another in an image
        // folder); a row group is a training task's unit, so rows are dealt out in a fixed random
        // order to make every row group a sample of the whole set.
        List<T> dealt = new ArrayList<>(items);
        java.util.Collections.shuffle(dealt, new java.util.Random(ROW_ORDER_SEED));
        JavaRDD<T> rdd = jsc.parallelize(dealt, partitions);
        jsc.setJobDescription("preprocess: " + items.size() + " inputs -> " + options.out());
        List<PartitionResult> results = rdd.mapPartitionsWithIndex((Integer index, Iterator<T> it) -> {
            TaskContext ctx = TaskContext.get();
            ShardPartitionWriter writer = new ShardPartitionWriter(options, sconf.get(), runId, index,
                    ctx == null ? 0 : ctx.attemptNumber(), numClasses, masks);
            try {
                while (it.hasNext()) {
                    for (Outcome o : maker.make(it.next())) {
                        writer.accept(o);
                    }
                }
                return List.of(writer.finish()).iterator();
            } catch (IOException | RuntimeException e) {
                writer.abandon();
                throw e;
            }
        }, true).collect();

        List<Reject> rejects = new ArrayList<>(driverRejects);
        long inputs = driverRejects.size();
        Map<String, List<ShardManifest.ShardFileInfo>> files = new TreeMap<>();
        Map<String, SplitStats> stats = new TreeMap<>();
        for (PartitionResult r : results) {
            inputs += r.inputs();
            rejects.addAll(r.rejects());
            r.files().forEach((split, f) -> files.computeIfAbsent(split, k -> new ArrayList<>()).addAll(f));
            r.stats().forEach((split, s) -> stats.merge(split, s, SplitStats::merge));
        }
        long written = stats.values().stream().mapToLong(SplitStats::examples).sum();
        Accounting accounting = Accounting.check(inputs, written, rejects.size());
        RejectsTable.write(new Path(root, RejectsTable.FILE), conf, rejects);

        Map<String, ShardManifest.SplitInfo> splits = new LinkedHashMap<>();
        for (String split : List.of(Splits.TRAIN, Splits.VAL)) {
            SplitStats s = stats.getOrDefault(split, new SplitStats(numClasses));
            List<ShardManifest.ShardFileInfo> f = files.getOrDefault(split, List.of());
            splits.put(split, new ShardManifest.SplitInfo(s.examples(), masks ? s.classPixels() : null,
                    masks ? s.ignoredPixels() : null, masks ? null : s.classExamples(), f));
        }
        SplitStats train = stats.get(Splits.TRAIN);
        ShardManifest.Normalization norm = train == null ? null
                : new ShardManifest.Normalization(train.mean(), train.std(), Splits.TRAIN);
        ShardManifest manifest = new ShardManifest(ShardFormat.NAME, ShardFormat.VERSION, spec.task(),
                DateTimeFormatter.ISO_INSTANT.format(Instant.now()), BuildInfo.asMap(), spec.source(), spec.config(),
                new ShardManifest.Tensor(options.height(), options.width(), 3, "HWC", "uint8",
                        masks ? "HW" : null, masks ? ShardFormat.IGNORE_LABEL : null),
                spec.classes(), norm, splits,
                new ShardManifest.AccountingInfo(accounting.inputs(), accounting.written(), accounting.rejected(),
                        RejectsTable.FILE));
        HadoopFiles.writeAtomically(new Path(root, ShardFormat.MANIFEST), conf, manifest.toJson());
        removeUnlisted(fs, root, manifest);
        return new Result(manifest, accounting, rejects);
    }

    /**
     * Once the new manifest is in place, the files it does not list are garbage: the previous
     * set's shards and what dead runs left under data/ and data/_tmp/. (Two runs writing one shard
     * set at once are not supported; schedulers keep runs apart.)
     */
    static void removeUnlisted(FileSystem fs, Path root, ShardManifest manifest) throws IOException {
        java.util.Set<String> listed = new java.util.HashSet<>();
        manifest.splits().values().forEach(sp -> sp.shards().forEach(f -> listed.add(f.file())));
        Path data = new Path(root, ShardFormat.DATA_DIR);
        for (org.apache.hadoop.fs.FileStatus st : fs.listStatus(data)) {
            String rel = ShardFormat.DATA_DIR + "/" + st.getPath().getName();
            if (st.isDirectory() ? st.getPath().getName().equals("_tmp") : !listed.contains(rel)) {
                deleteQuietly(fs, st.getPath());
            }
        }
    }

    private static void deleteQuietly(FileSystem fs, Path p) {
        try {
            fs.delete(p, true);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot remove temporary folder " + p, e);
        }
    }
}
