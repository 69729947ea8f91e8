package org.segspark.jobs.cluster;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.segspark.jobs.spark.Sparks;
import org.segspark.preprocess.coco.SyntheticCoco;

import java.io.Reader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The shaded app jar on a real Spark standalone cluster (a Master and two Workers on 127.0.0.1,
 * started from the Maven jars): spark-submit runs preprocessing and training in both distributed
 * modes (parameter averaging by the README's spark-submit line, keeping the cluster's defaults), every application gets executors on both workers, a run whose executor is killed midway
 * still finishes, and {@code down} stops exactly what {@code up} started.
 */
class LocalClusterIT {
    @TempDir
    Path dir;

    static Path appJar() throws Exception {
        try (Stream<Path> s = Files.list(Path.of("target"))) {
            return s.filter(p -> p.getFileName().toString().matches("segspark-jobs-.*-app\\.jar")).findFirst()
                    .orElseThrow(() -> new IllegalStateException("no app jar in target/: run after package"))
                    .toAbsolutePath();
        }
    }

    /** spark-submit in client mode, as a user runs it; fails with the log's tail. */
    void submit(LocalCluster.State cluster, String name, String... args) throws Exception {
        start(cluster, name, args).finish(10);
    }

    SparkSubmitProcess start(LocalCluster.State cluster, String name, String... args) throws Exception {
        return SparkSubmitProcess.start(cluster, appJar(), "1g", 2, dir.resolve(name + ".log"), name, List.of(args));
    }

    /** The application ids that ran executors on each worker (its work folder has one folder per app). */
    static Set<String> apps(Path work) throws Exception {
        try (Stream<Path> s = Files.list(work)) {
            return new TreeSet<>(s.map(p -> p.getFileName().toString()).filter(n -> n.startsWith("app-")).toList());
        }
    }

    /**
     * The README's spark-submit line as words, run by the cluster's Spark home: its master, jar,
     * data, run folder and epochs replaced by the test's; every other word as documented.
     */
    static List<String> documentedSubmit(LocalCluster.State cluster, Path shards, Path run) throws Exception {
        String readme = Files.readString(Path.of("..", "README.md"));
        int at = readme.indexOf("\nspark-submit --master");
        assertTrue(at >= 0, "README has no spark-submit line");
        String text = readme.substring(at + 1, readme.indexOf("\n```", at)).replace("\\\n", " ");
        List<String> words = new ArrayList<>(List.of(text.trim().split("\\s+")));
        words.set(0, Path.of(cluster.sparkHome(), "bin", "spark-submit").toString());
        for (int i = 1; i < words.size(); i++) {
            String previous = words.get(i - 1);
            if (previous.equals("--master")) {
                words.set(i, cluster.masterUrl());
            } else if (previous.equals("--data")) {
                words.set(i, shards.toString());
            } else if (previous.equals("--out")) {
                words.set(i, run.toString());
            } else if (previous.equals("--epochs")) {
                words.set(i, "2");
            } else if (words.get(i).endsWith("-app.jar")) {
                words.set(i, appJar().toString());
            }
        }
        return words;
    }

    /**
     * A command line of the cluster's own bin/spark-submit, run as a user runs it (no SPARK_HOME in
     * the environment: the script finds its own); fails with the log's tail, else returns the log.
     */
    String sparkHomeSubmit(List<String> words, String name) throws Exception {
        ProcessBuilder pb = new ProcessBuilder(words).redirectErrorStream(true)
                .redirectOutput(dir.resolve(name + ".log").toFile());
        pb.environment().remove("SPARK_HOME");
        pb.environment().put("JAVA_HOME", System.getProperty("java.home"));
        pb.environment().put("SPARK_LOCAL_IP", "127.0.0.1");
        Process p = pb.start();
        assertTrue(p.waitFor(10, TimeUnit.MINUTES), name + ": spark-submit did not finish");
        String log = Files.readString(dir.resolve(name + ".log"));
        assertEquals(0, p.exitValue(), log.substring(Math.max(0, log.length() - 4000)));
        return log;
    }

    /**
     * A user's own application jar (docs/SPARK_ML.md's example class, alone in its jar) submitted with
     * segspark's app jar as a library (--jars): it fits a Pipeline on the cluster's executors, saves
     * and reloads it, and labels new images.
     */
    void userApplicationWithSegsparkAsALibrary(LocalCluster.State cluster) throws Exception {
        submit(cluster, "coco-masks", "coco-masks", "--annotations",
                dir.resolve("coco").resolve(SyntheticCoco.ANNOTATIONS).toString(), "--images",
                dir.resolve("coco").resolve(SyntheticCoco.IMAGES).toString(), "--out", dir.resolve("masks").toString(),
                "--mapping", "coco4");
        Path fresh = Files.createDirectories(dir.resolve("new-images"));
        for (String name : List.of("000000000001.jpg", "000000000002.jpg")) {
            Files.copy(dir.resolve("coco").resolve(SyntheticCoco.IMAGES).resolve(name), fresh.resolve(name));
        }
        Files.write(fresh.resolve("cut.jpg"), new byte[] {(byte) 0xff, (byte) 0xd8, 1, 2});
        Path userJar = dir.resolve("my-pipeline.jar");
        Path classes = Path.of("target", "test-classes", "org", "segspark", "examples");
        try (JarOutputStream jar = new JarOutputStream(Files.newOutputStream(userJar));
             Stream<Path> files = Files.list(classes)) {
            for (Path f : files.toList()) {
                jar.putNextEntry(new JarEntry("org/segspark/examples/" + f.getFileName()));
                jar.write(Files.readAllBytes(f));
                jar.closeEntry();
            }
        }
        Path work = dir.resolve("user-app");
        List<String> words = List.of(Path.of(cluster.sparkHome(), "bin", "spark-submit").toString(),
                "--master", cluster.masterUrl(), "--class", "org.segspark.examples.SegmentationPipeline",
                "--jars", appJar().toString(), "--conf", "spark.executor.memory=1g", "--conf", "spark.cores.max=2",
                userJar.toString(), dir.resolve("coco").resolve(SyntheticCoco.IMAGES).toString(),
                dir.resolve("masks").toString(), fresh.toString(), work.toString());
        String log = sparkHomeSubmit(words, "user-app");
        assertTrue(log.contains("000000000001.jpg: label map of "), log);
        assertTrue(log.contains("000000000002.jpg: label map of "), log);
        assertTrue(log.contains("cut.jpg: decode: "), log);
        assertTrue(Files.exists(work.resolve("pipeline/metadata")), "the fitted pipeline was saved");
    }

    @Test
    void preprocessingAndBothTrainingModesRunOnATwoWorkerClusterAndSurviveALostExecutor() throws Exception {
        Path clusterDir = dir.resolve("cluster");
        LocalCluster.State cluster = LocalCluster.up(clusterDir, ClusterJars.fromBuild(Path.of("target")), 2, 1, "2g",
                Sparks.jvmOptions(),
                Duration.ofSeconds(120));
        try {
            LocalCluster.Status status = LocalCluster.status(clusterDir).orElseThrow();
            assertTrue(status.up());
            assertEquals(2, status.aliveWorkers());

            new SyntheticCoco(96, 72, 5).write(dir.resolve("coco"), 40);
            Path shards = dir.resolve("shards");
            submit(cluster, "preprocess", "preprocess", "coco",
                    "--annotations", dir.resolve("coco").resolve(SyntheticCoco.ANNOTATIONS).toString(),
                    "--images", dir.resolve("coco").resolve(SyntheticCoco.IMAGES).toString(),
                    "--out", shards.toString(), "--size", "64x64", "--set", "preprocess.coco.shard-rows=16",
                    "--set", "preprocess.coco.row-group-rows=4");
            JsonNode manifest = new ObjectMapper().readTree(shards.resolve("manifest.json").toFile());
            assertEquals(40, manifest.path("accounting").path("written").asInt());

            // the README's spark-submit line, through the Spark home's own spark-submit, with the
            // cluster's defaults file: its settings must reach the run, the UI and event log stay on
            Path events = Files.createDirectories(dir.resolve("events"));
            Files.writeString(Path.of(cluster.sparkHome(), "conf", "spark-defaults.conf"), String.join("\n",
                    "spark.eventLog.enabled true", "spark.eventLog.dir " + events.toUri(), "spark.executor.cores 1",
                    "spark.cores.max 2", "spark.executor.memory 1g", "spark.segspark.site-marker kept-from-the-cluster", ""));
            Path documented = dir.resolve("run-documented");
            List<String> words = new ArrayList<>(documentedSubmit(cluster, shards, documented));
            words.addAll(List.of("--set", "train.batch=4", "--set", "train.width-multiplier=0.35",
                    "--set", "train.averaging-frequency=2", "--set", "train.eval.train-examples=0",
                    "--set", "train.eval.bn-recompute-examples=16", "--set", "train.report.samples=2"));
            String log = sparkHomeSubmit(words, "documented");
            Properties ran = new Properties();
            try (Reader r = Files.newBufferedReader(documented.resolve("spark.properties"))) {
                ran.load(r);
            }
            assertEquals("kept-from-the-cluster", ran.getProperty("spark.segspark.site-marker"), "the cluster's defaults reach the run");
            assertEquals("true", ran.getProperty("spark.eventLog.enabled"));
            assertEquals("3g", ran.getProperty("spark.executor.memoryOverhead"), "the documented --conf");
            assertFalse("false".equals(ran.getProperty("spark.ui.enabled")), "segspark left the UI alone");
            assertTrue(ran.getProperty("spark.executor.extraJavaOptions").contains("javacpp.maxbytes"),
                    "segspark's executor options are added, with JavaCPP caps from the overhead");
            try (Stream<Path> logs = Files.list(events)) {
                assertEquals(1, logs.count(), "the application's event log");
            }
            assertFalse(log.lines().anyMatch(l -> l.contains(" INFO ")), "Spark's INFO lines are quieted: " + log);

            for (String mode : List.of("gradient-sharing")) {
                Path run = dir.resolve("run-" + mode);
                submit(cluster, "train-" + mode, "train", "--data", shards.toString(), "--out", run.toString(),
                        "--mode", mode, "--epochs", "2", "--set", "train.batch=4", "--set", "train.width-multiplier=0.35",
                        "--set", "train.averaging-frequency=2", "--set", "train.eval.train-examples=0",
                        "--set", "train.eval.bn-recompute-examples=16", "--set", "train.report.samples=2");
                JsonNode metrics = new ObjectMapper().readTree(run.resolve("metrics.json").toFile());
                assertTrue(metrics.toString().contains("miou"), mode + ": " + metrics);
                if (mode.equals("gradient-sharing")) {
                    // two executor JVMs exchanged every step's update: they end each epoch with the same parameters
                    for (String line : Files.readAllLines(run.resolve("training-stats.jsonl"))) {
                        JsonNode sharing = new ObjectMapper().readTree(line).at("/sharing");
                        assertTrue(sharing.path("workers_agree").asBoolean(), line);
                        assertEquals(0.0, sharing.path("max_parameter_difference").asDouble(), line);
                        assertTrue(sharing.path("bytes_per_step").asLong() > 0, line);
                    }
                    JsonNode h = metrics.get("history");
                    assertTrue(h.get(1).get("train_loss").asDouble() < h.get(0).get("train_loss").asDouble(),
                            "the loss falls under gradient sharing across two JVMs: " + h);
                }
            }

            Set<String> first = apps(clusterDir.resolve("work-1"));
            Set<String> second = apps(clusterDir.resolve("work-2"));
            assertEquals(3, first.size(), "every application ran an executor on worker 1: " + first);
            assertEquals(first, second, "and on worker 2");
            assertEquals(3, LocalCluster.status(clusterDir).orElseThrow().completedApps());

            // Worker loss: the executor on worker 1 is killed during epoch 2; Spark starts another
            // and retries its tasks, and the run ends with every epoch and a readable checkpoint.
            Path run = dir.resolve("run-killed");
            SparkSubmitProcess training = start(cluster, "train-killed", "train", "--data", shards.toString(), "--out", run.toString(),
                    "--mode", "parameter-averaging", "--epochs", "3", "--set", "train.batch=4",
                    "--set", "train.width-multiplier=0.35", "--set", "train.averaging-frequency=2",
                    "--set", "train.eval.train-examples=0", "--set", "train.eval.bn-recompute-examples=16");
            long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(8);
            while (!Files.exists(run.resolve("checkpoints/latest.json")) && training.process().isAlive() && System.nanoTime() < deadline) {
                Thread.sleep(200);
            }
            ProcessHandle executor = ProcessHandle.of(cluster.workerPids().get(0)).orElseThrow().children()
                    .filter(c -> c.info().commandLine().orElse("").contains("CoarseGrainedExecutorBackend"))
                    .findFirst().orElseThrow(() -> new AssertionError("no executor under worker 1"));
            executor.destroyForcibly();
            training.finish(10);
            JsonNode metrics = new ObjectMapper().readTree(run.resolve("metrics.json").toFile());
            assertEquals(3, metrics.get("history").size());
            assertEquals(3, new ObjectMapper().readTree(run.resolve("checkpoints/latest.json").toFile()).get("epoch").asInt());
            String killedApp = new TreeSet<>(apps(clusterDir.resolve("work-1"))).last();
            try (Stream<Path> s = Files.list(clusterDir.resolve("work-1").resolve(killedApp))) {
                assertTrue(s.count() >= 2, "a second executor replaced the killed one on worker 1");
            }

            userApplicationWithSegsparkAsALibrary(cluster);
        } finally {
            assertTrue(LocalCluster.down(clusterDir));
        }
        assertFalse(ProcessHandle.of(cluster.masterPid()).map(ProcessHandle::isAlive).orElse(false));
        for (long pid : cluster.workerPids()) {
            assertFalse(ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false), "worker " + pid);
        }
        assertTrue(LocalCluster.status(clusterDir).isEmpty());
    }
}
