package org.segspark.preprocess.job;

import org.apache.hadoop.conf.Configuration;
import org.apache.parquet.hadoop.metadata.CompressionCodecName;
import org.apache.spark.SparkConf;
import org.apache.spark.api.java.JavaSparkContext;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.segspark.core.shards.ShardFileReader;
import org.segspark.core.shards.ShardFormat;
import org.segspark.core.shards.ShardManifest;
import org.segspark.core.shards.ShardRow;
import org.segspark.core.shards.ShardSet;

import java.io.File;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A preprocessing run killed with SIGKILL midway (in its own JVM, after some of its shard files
 * were committed) leaves the previous shard set readable and intact; the next run completes with
 * every input once, reusing the previous set and processing only what the data set gained, and
 * removes what the dead run left.
 */
class KilledRunTest {
    static final int INPUTS = 200;
    static final int GROWN = 300;

    @TempDir
    Path dir;

    /** Makes an 8x8 classification row per number, optionally slowly. */
    record NumberMaker(long sleepMillis) implements ExampleMaker<Integer> {
        @Override
        public String key(Integer i) {
            return "n" + i;
        }

        @Override
        public List<org.apache.hadoop.fs.Path> files(Integer i) {
            return List.of();
        }

        @Override
        public List<Outcome> make(Integer i) {
            if (sleepMillis > 0) {
                try {
                    Thread.sleep(sleepMillis);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
            byte[] img = new byte[8 * 8 * 3];
            java.util.Arrays.fill(img, (byte) i.intValue());
            return List.of(Outcome.written(ShardRow.classification("n" + i, "number:" + i, Splits.assign("n" + i, 0.25, 1),
                    8, 8, img, i % 3), new int[] {0, 0, 8, 8}));
        }
    }

    static ShardJob.Result run(JavaSparkContext jsc, String out, long sleepMillis, int inputs) throws Exception {
        List<Integer> items = IntStream.range(0, inputs).boxed().toList();
        return ShardJob.run(jsc, items, new NumberMaker(sleepMillis),
                new ShardJob.Spec(new ShardJobOptions(out, 8, 8, 8, 16, CompressionCodecName.ZSTD),
                        ShardManifest.CLASSIFICATION, List.of("a", "b", "c"), java.util.Map.of("kind", "numbers"), null),
                List.of());
    }

    /** The run that gets killed, over a grown data set: a separate JVM, slow enough to be caught midway. */
    public static void main(String[] args) throws Exception {
        try (JavaSparkContext jsc = new JavaSparkContext(new SparkConf().setMaster("local[2]").setAppName("killed-run")
                .set("spark.ui.enabled", "false"))) {
            run(jsc, args[0], 60, GROWN);
        }
    }

    static List<Path> parquetFiles(Path root) throws Exception {
        try (Stream<Path> s = Files.walk(root.resolve(ShardFormat.DATA_DIR))) {
            return s.filter(p -> p.toString().endsWith(".parquet")).toList();
        }
    }

    @Test
    void aKilledRunLeavesThePreviousSetIntactAndTheNextRunCompletes() throws Exception {
        Path out = dir.resolve("shards");
        Configuration conf = new Configuration();
        try (JavaSparkContext jsc = new JavaSparkContext(new SparkConf().setMaster("local[2]").setAppName("first")
                .set("spark.ui.enabled", "false"))) {
            run(jsc, out.toString(), 0, INPUTS);
        }
        byte[] manifestBefore = Files.readAllBytes(out.resolve(ShardFormat.MANIFEST));
        Set<Path> before = new HashSet<>(parquetFiles(out));

        List<String> cmd = new ArrayList<>();
        cmd.add(System.getProperty("java.home") + File.separator + "bin" + File.separator + "java");
        cmd.addAll(ManagementFactory.getRuntimeMXBean().getInputArguments().stream()
                .filter(a -> !a.startsWith("-agentlib") && !a.startsWith("-javaagent")).toList());
        cmd.addAll(List.of("-cp", System.getProperty("java.class.path"), KilledRunTest.class.getName(), out.toString()));
        Process child = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(dir.resolve("child.log").toFile()).start();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(90);
        boolean midway = false;
        while (System.nanoTime() < deadline && child.isAlive()) {
            List<Path> committed = parquetFiles(out).stream()
                    .filter(p -> !before.contains(p) && !p.toString().contains("_tmp")).toList();
            if (!committed.isEmpty()) {
                midway = true;
                break;
            }
            Thread.sleep(50);
        }
        child.destroyForcibly().waitFor(30, TimeUnit.SECONDS);
        assertTrue(midway, "the child committed a shard file before it was killed: " + Files.readString(dir.resolve("child.log")));

        // the dead run's files are there, but the manifest is the first run's and its set verifies
        assertArrayEquals(manifestBefore, Files.readAllBytes(out.resolve(ShardFormat.MANIFEST)));
        assertTrue(parquetFiles(out).size() > before.size(), "the dead run left files");
        ShardSet.open(out.toString(), conf).verify(conf);
        assertEquals(INPUTS, keys(out, conf).size());

        try (JavaSparkContext jsc = new JavaSparkContext(new SparkConf().setMaster("local[2]").setAppName("after")
                .set("spark.ui.enabled", "false"))) {
            ShardJob.Result r = run(jsc, out.toString(), 0, GROWN);
            assertEquals(GROWN, r.accounting().inputs());
            assertEquals(GROWN, r.accounting().written());
            assertEquals("incremental", r.increment().mode());
            assertEquals(INPUTS, r.increment().reusedInputs(), "the first run's files are reused");
            assertEquals(GROWN - INPUTS, r.increment().processedInputs(), "only the new inputs are processed");
        }
        ShardSet set = ShardSet.open(out.toString(), conf);
        set.verify(conf);
        List<String> keys = keys(out, conf);
        assertEquals(GROWN, keys.size(), "every input once");
        assertEquals(GROWN, new HashSet<>(keys).size(), "nothing twice");
        Set<String> listed = new HashSet<>();
        set.manifest().splits().values().forEach(sp -> sp.shards().forEach(f -> listed.add(out.resolve(f.file()).toString())));
        assertEquals(listed, new HashSet<>(parquetFiles(out).stream().map(Path::toString).toList()),
                "only the listed files remain");
        assertFalse(Files.exists(out.resolve(ShardFormat.DATA_DIR).resolve("_tmp")));
        Set<String> indexes = new HashSet<>(set.manifest().inputs().index().stream().map(f -> out.resolve(f).toString()).toList());
        try (Stream<Path> s = Files.list(out.resolve(ShardFormat.DATA_DIR))) {
            assertEquals(indexes, new HashSet<>(s.map(Path::toString).filter(f -> f.endsWith(".json")).toList()),
                    "only the listed input indexes remain");
        }
    }

    static List<String> keys(Path out, Configuration conf) throws Exception {
        ShardSet set = ShardSet.open(out.toString(), conf);
        List<String> keys = new ArrayList<>();
        for (String split : List.of("train", "val")) {
            for (org.apache.hadoop.fs.Path f : set.files(split)) {
                try (ShardFileReader r = new ShardFileReader(f, conf)) {
                    r.readAll().forEach(row -> keys.add(row.key()));
                }
            }
        }
        return keys;
    }
}
