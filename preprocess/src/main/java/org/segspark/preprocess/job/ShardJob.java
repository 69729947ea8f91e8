package org.segspark.preprocess.job;

import java.io.Serializable;
import java.util.Collections;
import java.util.Comparator;
import java.util.Random;

import com.fasterxml.jackson.databind.JsonNode;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.spark.TaskContext;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.broadcast.Broadcast;
import org.segspark.core.BuildInfo;
import org.segspark.preprocess.io.Accounting;
import org.segspark.core.io.HadoopFiles;
import org.segspark.core.io.OutputFolder;
import org.segspark.preprocess.io.Reject;
import org.segspark.preprocess.io.RejectsTable;
import org.segspark.core.io.SerializableConf;
import org.segspark.core.shards.ShardFormat;
import org.segspark.core.shards.ShardManifest;

import java.io.IOException;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.UUID;

/**
 * The one code path from source items to a committed shard set, shared by every data source.
 * Executors fingerprint the items, then read and convert those that an earlier run has not
 * already made (see {@link PreviousShardSet}) and write shard files; the driver sees only
 * metadata, writes the rejects table, checks that inputs = written + rejected, and commits by
 * writing the manifest last.
 */
public final class ShardJob {
    static final long ROW_ORDER_SEED = 0x5e65_9a7cL;
    /** What a shard set's folder holds; sets written before the marker are known by their manifest. */
    public static final OutputFolder.Kind KIND = new OutputFolder.Kind("shards", ShardFormat.MANIFEST);

    private ShardJob() {
    }

    /**
     * What a source contributes to the manifest besides its rows.
     *
     * @param channels the rows' channels per pixel: 3 (RGB) or 1 (grey)
     */
    public record Spec(ShardJobOptions options, String task, List<String> classes, Map<String, Object> source,
                       JsonNode config, int channels) {
        public Spec {
            if (channels != 1 && channels != 3) {
                throw new IllegalArgumentException("channels must be 1 or 3, got " + channels);
            }
        }

        /** An RGB source. */
        public Spec(ShardJobOptions options, String task, List<String> classes, Map<String, Object> source,
                    JsonNode config) {
            this(options, task, classes, source, config, 3);
        }
    }

    /**
     * The committed manifest, the run's books, and what the run reused.
     *
     * @param rejects every current reject, sorted by path, stage and reason
     */
    public record Result(ShardManifest manifest, Accounting accounting, List<Reject> rejects, Increment increment) {
    }

    /**
     * How much of the previous shard set a run kept.
     *
     * @param mode            {@code full} (no usable previous set, or incremental off), {@code incremental}
     *                        or {@code up-to-date} (nothing changed: nothing was written)
     * @param why             why a run was {@code full}
     * @param reusedInputs    inputs whose rows (or rejects) came from earlier runs' files
     * @param processedInputs inputs read and converted by this run
     * @param replacedParts   earlier tasks whose files were dropped because an input of theirs changed or went away
     */
    public record Increment(String mode, String why, long reusedInputs, long processedInputs, int replacedParts) {
        public String describe() {
            return switch (mode) {
                case "up-to-date" -> "up to date: " + reusedInputs + " inputs unchanged, nothing written";
                case "incremental" -> "incremental: " + reusedInputs + " inputs reused, " + processedInputs
                        + " processed, files of " + replacedParts + " earlier tasks replaced";
                default -> "full run (" + why + "): " + processedInputs + " inputs processed";
            };
        }
    }

    /** An item with its key and fingerprint, on its way to a task. */
    private record Pending<T>(T item, InputFingerprint.Keyed keyed) implements Serializable {
    }

    /** Items listed on the driver (file sources: paths and their metadata). */
    public static <T> Result run(JavaSparkContext jsc, List<T> items, ExampleMaker<T> maker, Spec spec,
                                 List<Reject> driverRejects) throws IOException {
        return run(jsc, new ListedItems<>(items, maker), spec, driverRejects);
    }

    /**
     * Items already on the executors (a DataFrame's rows): they never pass through the driver. The
     * RDD is read twice (keys, then the items to write), so it must give the same items in the
     * same order both times: a file source, or persisted.
     */
    public static <T> Result run(JavaSparkContext jsc, JavaRDD<T> items, ExampleMaker<T> maker, Spec spec)
            throws IOException {
        return run(jsc, new DistributedItems<>(items, maker), spec, List.of());
    }

    private static <T> Result run(JavaSparkContext jsc, Items<T> items, Spec spec, List<Reject> driverRejects)
            throws IOException {
        ShardJobOptions options = spec.options();
        Configuration conf = jsc.hadoopConfiguration();
        Path root = HadoopFiles.path(options.out());
        FileSystem fs = HadoopFiles.fs(root, conf);
        SerializableConf sconf = new SerializableConf(conf);
        // Fingerprints first, on the executors (one stat per file), so only changed items are read.
        List<InputFingerprint.Keyed> keyed = items.keyed(jsc, options, sconf);
        if (keyed.isEmpty() && driverRejects.isEmpty()) {
            throw new IllegalArgumentException("no inputs found for " + options.out() + " (" + spec.source()
                    + "); an empty or unmounted input? Nothing was written");
        }
        OutputFolder.claim(options.out(), conf, KIND, options.force(), "--out");
        ShardManifest committed = committedManifest(root, conf);
        String runId = DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss'Z'").withZone(ZoneOffset.UTC).format(Instant.now())
                + "-" + UUID.randomUUID().toString().substring(0, 8);
        RunFiles.register(fs, root, runId);
        boolean masks = ShardManifest.SEGMENTATION.equals(spec.task());
        int numClasses = spec.classes().size();
        String settings = PreviousShardSet.settingsDigest(spec);

        List<Reject> rejects = new ArrayList<>(driverRejects);
        Map<String, String> current = new HashMap<>();
        List<Integer> unique = new ArrayList<>(keyed.size());
        for (int i = 0; i < keyed.size(); i++) {
            InputFingerprint.Keyed k = keyed.get(i);
            if (current.putIfAbsent(k.key(), k.fingerprint()) != null) {
                rejects.add(new Reject(k.key(), "list", "another input has the same key; only the first one is used"));
            } else {
                unique.add(i);
            }
        }

        PreviousShardSet previous = null;
        String why = "incremental = false";
        if (options.incremental()) {
            previous = PreviousShardSet.load(root, conf, settings);
            why = previous.why();
            previous = previous.usable() ? previous : null;
        }
        List<PreviousShardSet.Part> kept = previous == null ? List.of() : previous.unchangedParts(current);
        int replaced = previous == null ? 0 : previous.partCount() - kept.size();
        Set<String> keptKeys = new HashSet<>();
        kept.forEach(p -> p.index().inputs().forEach(k -> keptKeys.add(k.key())));
        List<Integer> todo = unique.stream().filter(i -> !keptKeys.contains(keyed.get(i).key())).toList();

        List<PartitionResult> results = todo.isEmpty() ? List.of()
                : items.process(jsc, todo, keyed, new PartitionWriting(options, runId, numClasses, spec.channels(), masks, sconf));

        long inputs = rejects.size();
        long reused = 0;
        Map<String, List<ShardManifest.ShardFileInfo>> files = new TreeMap<>();
        Map<String, SplitStats> stats = new TreeMap<>();
        List<String> index = new ArrayList<>();
        for (PreviousShardSet.Part part : kept) {
            PartIndex p = part.index();
            PreviousShardSet earlier = previous;
            reused += p.outcomes();
            rejects.addAll(p.rejects());
            p.files().forEach((split, f) -> files.computeIfAbsent(split, k -> new ArrayList<>()).add(earlier.file(f)));
            p.stats().forEach((split, st) -> stats.merge(split, SplitStats.of(st), SplitStats::merge));
            index.add(part.file());
        }
        inputs += reused;
        long processed = 0;
        for (PartitionResult r : results) {
            processed += r.inputs();
            rejects.addAll(r.rejects());
            r.files().forEach((split, f) -> files.computeIfAbsent(split, k -> new ArrayList<>()).addAll(f));
            r.stats().forEach((split, st) -> stats.merge(split, st, SplitStats::merge));
            index.add(r.index());
        }
        inputs += processed;
        rejects.sort(Comparator.comparing(Reject::path).thenComparing(Reject::stage).thenComparing(Reject::reason));
        long written = stats.values().stream().mapToLong(SplitStats::examples).sum();
        Accounting accounting = Accounting.check(inputs, written, rejects.size());
        refuseShrink(fs, root, runId, committed, accounting, rejects, options);

        if (previous != null && todo.isEmpty() && replaced == 0 && previous.sameBooks(accounting, rejects)) {
            RunFiles.removeUnlisted(fs, root, previous.manifest(), RunFiles.known(fs, root, previous.manifest()));
            return new Result(previous.manifest(), accounting, rejects,
                    new Increment("up-to-date", null, reused, 0, 0));
        }
        RejectsTable.write(new Path(root, RejectsTable.FILE), conf, rejects);

        Map<String, ShardManifest.SplitInfo> splits = new LinkedHashMap<>();
        for (String split : List.of(Splits.TRAIN, Splits.VAL)) {
            SplitStats s = stats.getOrDefault(split, new SplitStats(numClasses, spec.channels()));
            List<ShardManifest.ShardFileInfo> f = files.getOrDefault(split, List.of());
            splits.put(split, new ShardManifest.SplitInfo(s.examples(), masks ? s.classPixels() : null,
                    masks ? s.ignoredPixels() : null, masks ? null : s.classExamples(), f));
        }
        SplitStats train = stats.get(Splits.TRAIN);
        ShardManifest.Normalization norm = train == null ? null
                : new ShardManifest.Normalization(train.mean(), train.std(), Splits.TRAIN);
        ShardManifest manifest = new ShardManifest(ShardFormat.NAME, ShardFormat.VERSION, spec.task(),
                DateTimeFormatter.ISO_INSTANT.format(Instant.now()), BuildInfo.asMap(), spec.source(), spec.config(),
                new ShardManifest.Tensor(options.height(), options.width(), spec.channels(), "HWC", "uint8",
                        masks ? "HW" : null, masks ? ShardFormat.IGNORE_LABEL : null),
                spec.classes(), norm, splits,
                new ShardManifest.AccountingInfo(accounting.inputs(), accounting.written(), accounting.rejected(),
                        RejectsTable.FILE),
                new ShardManifest.InputsInfo(settings, index));
        Set<String> runs = RunFiles.known(fs, root, committed);
        HadoopFiles.writeAtomically(new Path(root, ShardFormat.MANIFEST), conf, manifest.toJson());
        RunFiles.removeUnlisted(fs, root, manifest, runs);
        Increment increment = previous == null ? new Increment("full", why, 0, processed, 0)
                : new Increment("incremental", null, reused, processed, replaced);
        return new Result(manifest, accounting, rejects, increment);
    }

    /** What every task needs to write its part of the set. */
    private record PartitionWriting(ShardJobOptions options, String runId, int numClasses, int channels, boolean masks,
                                    SerializableConf conf) implements Serializable {
    }

    /** Where the items are, and how they reach the tasks that convert them. */
    private interface Items<T> {
        /** Every item's key and fingerprint, in the items' order. */
        List<InputFingerprint.Keyed> keyed(JavaSparkContext jsc, ShardJobOptions options, SerializableConf conf);

        /** Converts and writes the items at {@code positions} (ascending); returns each task's metadata. */
        List<PartitionResult> process(JavaSparkContext jsc, List<Integer> positions, List<InputFingerprint.Keyed> keyed,
                                      PartitionWriting writing);
    }

    private record ListedItems<T>(List<T> items, ExampleMaker<T> maker) implements Items<T> {
        @Override
        public List<InputFingerprint.Keyed> keyed(JavaSparkContext jsc, ShardJobOptions options, SerializableConf conf) {
            if (items.isEmpty()) {
                return List.of();
            }
            ExampleMaker<T> m = maker;
            jsc.setJobDescription("preprocess: fingerprint " + items.size() + " inputs");
            return jsc.parallelize(items, partitions(items.size(), options, jsc)).map(it -> new InputFingerprint.Keyed(
                    m.key(it), InputFingerprint.of((Serializable) it, m.files(it), conf.get()))).collect();
        }

        @Override
        public List<PartitionResult> process(JavaSparkContext jsc, List<Integer> positions,
                                             List<InputFingerprint.Keyed> keyed, PartitionWriting writing) {
            // Sources list their items in an order (sorted paths: one class after another in an image
            // folder); a row group is a training task's unit, so rows are dealt out in a fixed random
            // order to make every row group a sample of the whole set.
            List<Pending<T>> dealt = new ArrayList<>(positions.size());
            positions.forEach(i -> dealt.add(new Pending<>(items.get(i), keyed.get(i))));
            Collections.shuffle(dealt, new Random(ROW_ORDER_SEED));
            jsc.setJobDescription("preprocess: " + dealt.size() + " inputs -> " + writing.options().out());
            return write(jsc.parallelize(dealt, partitions(dealt.size(), writing.options(), jsc)), maker, writing);
        }
    }

    private record DistributedItems<T>(JavaRDD<T> items, ExampleMaker<T> maker) implements Items<T> {
        @Override
        public List<InputFingerprint.Keyed> keyed(JavaSparkContext jsc, ShardJobOptions options, SerializableConf conf) {
            ExampleMaker<T> m = maker;
            jsc.setJobDescription("preprocess: fingerprint the inputs");
            return items.map(it -> new InputFingerprint.Keyed(m.key(it),
                    InputFingerprint.of((Serializable) it, m.files(it), conf.get()))).collect();
        }

        @Override
        public List<PartitionResult> process(JavaSparkContext jsc, List<Integer> positions,
                                             List<InputFingerprint.Keyed> keyed, PartitionWriting writing) {
            // the driver has every wanted item's key and fingerprint already: they travel by position
            Map<Long, InputFingerprint.Keyed> byPosition = new HashMap<>();
            positions.forEach(i -> byPosition.put((long) i, keyed.get(i)));
            Broadcast<Map<Long, InputFingerprint.Keyed>> wanted = jsc.broadcast(byPosition);
            try {
                // the same dealing as for listed items: a seeded random order, here by each item's key
                JavaRDD<Pending<T>> dealt = items.zipWithIndex().filter(p -> wanted.value().containsKey(p._2()))
                        .map(p -> new Pending<>(p._1(), wanted.value().get(p._2())))
                        .sortBy(p -> Splits.unit(p.keyed().key(), ROW_ORDER_SEED), true,
                                partitions(positions.size(), writing.options(), jsc));
                jsc.setJobDescription("preprocess: " + positions.size() + " inputs -> " + writing.options().out());
                return write(dealt, maker, writing);
            } finally {
                wanted.destroy();
            }
        }
    }

    private static int partitions(int items, ShardJobOptions options, JavaSparkContext jsc) {
        int byShardSize = (int) Math.ceil(items / (double) options.shardRows());
        return Math.max(1, Math.min(items, Math.max(byShardSize, jsc.defaultParallelism() * 4)));
    }

    /** Converts and writes the dealt items on the executors; returns each task's metadata. */
    private static <T> List<PartitionResult> write(JavaRDD<Pending<T>> dealt, ExampleMaker<T> maker,
                                                   PartitionWriting w) {
        return dealt.mapPartitionsWithIndex((Integer index, Iterator<Pending<T>> it) -> {
            TaskContext ctx = TaskContext.get();
            ShardPartitionWriter writer = new ShardPartitionWriter(w.options(), w.conf().get(), w.runId(), index,
                    ctx == null ? 0 : ctx.attemptNumber(), w.numClasses(), w.channels(), w.masks());
            try {
                while (it.hasNext()) {
                    Pending<T> p = it.next();
                    writer.item(p.keyed(), maker.make(p.item()));
                }
                return List.of(writer.finish()).iterator();
            } catch (IOException | RuntimeException e) {
                writer.abandon();
                throw e;
            }
        }, true).collect();
    }

    /** The set's committed manifest, or null (none yet, or unreadable: then there is nothing to compare with). */
    private static ShardManifest committedManifest(Path root, Configuration conf) {
        Path m = new Path(root, ShardFormat.MANIFEST);
        try {
            return HadoopFiles.fs(m, conf).exists(m) ? ShardManifest.fromJson(HadoopFiles.readAll(m, conf), m.toString()) : null;
        } catch (IOException | RuntimeException e) {
            return null;
        }
    }

    /**
     * Refuses to commit a run that used none of its inputs, or that would replace a set with less
     * than half its examples, unless allowed: that is what an emptied, unmounted or mistyped input
     * looks like. The previous set stays as it was; this run's files are removed.
     */
    private static void refuseShrink(FileSystem fs, Path root, String runId, ShardManifest committed,
                                     Accounting books, List<Reject> rejects, ShardJobOptions options) throws IOException {
        long before = committed == null || committed.accounting() == null ? 0 : committed.accounting().written();
        String why = null;
        if (books.written() == 0) {
            why = "no input could be used";
        } else if (!options.allowShrink() && books.written() * 2 < before) {
            why = "the run would replace the set's " + before + " examples with " + books.written()
                    + " (add --allow-shrink if the data really shrank)";
        }
        if (why == null) {
            return;
        }
        RunFiles.removeUnlisted(fs, root, committed, Set.of(runId));
        StringBuilder e = new StringBuilder();
        rejects.stream().limit(3).forEach(r -> e.append("; ").append(r.path()).append(": ").append(r.reason()));
        throw new IllegalArgumentException(options.out() + ": " + why + " (" + books + e
                + (rejects.size() > 3 ? "; ..." : "") + "); " + (committed == null ? "nothing was committed"
                : "the previous shard set is kept unchanged"));
    }
}
