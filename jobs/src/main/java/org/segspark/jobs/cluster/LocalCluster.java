package org.segspark.jobs.cluster;

import org.apache.spark.package$;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import scala.util.Properties;

import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.net.HttpURLConnection;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * A Spark standalone cluster on 127.0.0.1 made of segspark's own jars: one Master and N Workers,
 * each a JVM started from the Spark jars the app runs with (no Spark download). Workers launch
 * executors from {@code SPARK_HOME/jars}, so the cluster folder gets a SPARK_HOME whose
 * {@code jars/} links to those jars. What was started is recorded in {@code cluster.json}, and
 * {@link #down} stops exactly those processes (checked by their command line, so a recycled PID
 * is never killed) and the executors below them.
 */
public final class LocalCluster {
    static final String STATE = "cluster.json";
    static final String MASTER_CLASS = "org.apache.spark.deploy.master.Master";
    static final String WORKER_CLASS = "org.apache.spark.deploy.worker.Worker";
    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    /** What {@link #up} started. */
    public record State(String masterUrl, String webUi, long masterPid, List<Long> workerPids, int cores,
                        String memory, String sparkHome, String started) {
    }

    /** The master's view: workers alive, their cores and memory, applications running. */
    public record Status(State state, boolean masterAlive, int aliveWorkers, int cores, int coresUsed,
                         int memoryMb, int runningApps, int completedApps) {
        public boolean up() {
            return masterAlive && aliveWorkers == state.workerPids().size();
        }
    }

    private LocalCluster() {
    }

    /**
     * Starts a Master and {@code workers} Workers with {@code cores} cores and {@code memory}
     * (e.g. "2g") each, and waits until every Worker has registered.
     *
     * @param sparkJars the Spark, Scala and Hadoop jars (segspark's "provided" classpath)
     * @param jvmOptions JVM options for the daemons (Java 17 opens)
     */
    public static State up(Path dir, List<Path> sparkJars, int workers, int cores, String memory,
                           List<String> jvmOptions, Duration timeout) throws IOException, InterruptedException {
        if (workers < 1 || cores < 1) {
            throw new IllegalArgumentException("a cluster needs at least one worker with one core, got " + workers
                    + " workers of " + cores + " cores");
        }
        Optional<Status> running = status(dir);
        if (running.isPresent() && running.get().masterAlive()) {
            throw new IllegalStateException("a cluster is already running from " + dir + " (" + running.get().state().masterUrl()
                    + "); stop it with: segspark cluster down");
        }
        Path sparkHome = dir.resolve("spark-home");
        Path jars = sparkHome.resolve("jars");
        deleteRecursively(sparkHome);
        Files.createDirectories(jars);
        for (Path j : sparkJars) {
            Path link = jars.resolve(j.getFileName());
            if (!Files.exists(link)) {
                Files.createSymbolicLink(link, j.toAbsolutePath());
            }
        }
        writeSparkSubmit(sparkHome);
        Path logs = Files.createDirectories(dir.resolve("logs"));
        int port = freePort(), webUi = freePort();
        String masterUrl = "spark://127.0.0.1:" + port;
        String classpath = jars.toAbsolutePath() + File.separator + "*";
        long master = start(daemon(classpath, jvmOptions, "512m", MASTER_CLASS, "--host", "127.0.0.1", "--port",
                "" + port, "--webui-port", "" + webUi), sparkHome, logs.resolve("master.log"));
        List<Long> workerPids = new ArrayList<>();
        for (int i = 1; i <= workers; i++) {
            Path work = Files.createDirectories(dir.resolve("work-" + i));
            workerPids.add(start(daemon(classpath, jvmOptions, "512m", WORKER_CLASS, "--host", "127.0.0.1",
                    "--cores", "" + cores, "--memory", memory, "--webui-port", "" + freePort(),
                    "--work-dir", work.toAbsolutePath().toString(), masterUrl), sparkHome, logs.resolve("worker-" + i + ".log")));
        }
        State state = new State(masterUrl, "http://127.0.0.1:" + webUi, master, workerPids, cores, memory,
                sparkHome.toAbsolutePath().toString(), Instant.now().toString());
        Files.write(dir.resolve(STATE), JSON.writeValueAsBytes(state));
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            Optional<Status> s = status(dir);
            if (s.isPresent() && s.get().up()) {
                return state;
            }
            if (System.nanoTime() > deadline || !ProcessHandle.of(master).map(ProcessHandle::isAlive).orElse(false)) {
                down(dir);
                throw new IOException("the cluster did not come up within " + timeout.toSeconds() + " s"
                        + (s.isPresent() ? " (" + s.get().aliveWorkers() + " of " + workers + " workers registered)" : "")
                        + "; logs in " + logs);
            }
            Thread.sleep(250);
        }
    }

    /**
     * {@code bin/spark-submit} and a {@code RELEASE} file in the Spark home, so that it submits
     * applications the way a Spark distribution does (Spark's launcher library takes a home with
     * RELEASE for a distribution with its jars in {@code jars/}, and reads {@code conf/spark-defaults.conf}).
     */
    static void writeSparkSubmit(Path sparkHome) throws IOException {
        Files.writeString(sparkHome.resolve("RELEASE"), "Spark " + package$.MODULE$.SPARK_VERSION()
                + " laid out by segspark cluster up from the Maven jars\n");
        Path bin = Files.createDirectories(sparkHome.resolve("bin"));
        Files.createDirectories(sparkHome.resolve("conf"));
        try (InputStream in = LocalCluster.class.getResourceAsStream("spark-submit")) {
            if (in == null) {
                throw new IllegalStateException("the spark-submit script is missing from segspark's jar");
            }
            Files.copy(in, bin.resolve("spark-submit"), StandardCopyOption.REPLACE_EXISTING);
        }
        Files.setPosixFilePermissions(bin.resolve("spark-submit"), PosixFilePermissions.fromString("rwxr-xr-x"));
    }

    /** The recorded cluster and what its master reports, or empty when none was started from {@code dir}. */
    public static Optional<Status> status(Path dir) throws IOException {
        Path file = dir.resolve(STATE);
        if (!Files.exists(file)) {
            return Optional.empty();
        }
        State state = JSON.readValue(file.toFile(), State.class);
        boolean alive = isOurs(state.masterPid(), MASTER_CLASS);
        JsonNode master = alive ? masterJson(state.webUi()) : null;
        if (master == null) {
            return Optional.of(new Status(state, false, 0, 0, 0, 0, 0, 0));
        }
        int aliveWorkers = 0;
        for (JsonNode w : master.path("workers")) {
            if ("ALIVE".equals(w.path("state").asText())) {
                aliveWorkers++;
            }
        }
        return Optional.of(new Status(state, true, aliveWorkers, master.path("cores").asInt(),
                master.path("coresused").asInt(), master.path("memory").asInt(), master.path("activeapps").size(),
                master.path("completedapps").size()));
    }

    /** Stops the recorded Master and Workers and the executors below them; true if anything was running. */
    public static boolean down(Path dir) throws IOException, InterruptedException {
        Path file = dir.resolve(STATE);
        if (!Files.exists(file)) {
            return false;
        }
        State state = JSON.readValue(file.toFile(), State.class);
        boolean any = false;
        for (long pid : state.workerPids()) {
            any |= stop(pid, WORKER_CLASS);
        }
        any |= stop(state.masterPid(), MASTER_CLASS);
        Files.delete(file);
        AeronDirs.removeStale();        // what gradient sharing's executors left in /dev/shm
        return any;
    }

    private static boolean stop(long pid, String mainClass) throws InterruptedException {
        if (!isOurs(pid, mainClass)) {
            return false;
        }
        ProcessHandle p = ProcessHandle.of(pid).orElseThrow();
        List<ProcessHandle> below = p.descendants().toList();
        p.destroy();
        try {
            p.onExit().get(20, TimeUnit.SECONDS);
        } catch (ExecutionException | TimeoutException e) {
            p.destroyForcibly();
        }
        for (ProcessHandle d : below) {
            if (d.isAlive()) {
                d.destroyForcibly();
            }
        }
        return true;
    }

    /** Alive, and running the class we started under that PID. */
    static boolean isOurs(long pid, String mainClass) {
        return ProcessHandle.of(pid).filter(ProcessHandle::isAlive)
                .flatMap(p -> p.info().arguments().map(a -> List.of(a).contains(mainClass)))
                .orElse(false);
    }

    private static List<String> daemon(String classpath, List<String> jvmOptions, String heap, String mainClass,
                                       String... args) {
        List<String> cmd = new ArrayList<>();
        if (new File("/usr/bin/setsid").canExecute()) {
            cmd.add("/usr/bin/setsid");         // its own session: closing the terminal does not stop it
        }
        cmd.add(ProcessHandle.current().info().command().orElse(System.getProperty("java.home") + "/bin/java"));
        cmd.add("-Xmx" + heap);
        cmd.addAll(jvmOptions);
        cmd.add("-cp");
        cmd.add(classpath);
        cmd.add(mainClass);
        cmd.addAll(List.of(args));
        return cmd;
    }

    private static long start(List<String> cmd, Path sparkHome, Path log) throws IOException {
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()))
                .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")));
        pb.environment().put("SPARK_HOME", sparkHome.toAbsolutePath().toString());
        pb.environment().put("SPARK_LOCAL_IP", "127.0.0.1");
        pb.environment().put("SPARK_NO_DAEMONIZE", "1");
        // a Spark distribution's load-spark-env.sh sets it; the executor command builder needs it
        pb.environment().put("SPARK_SCALA_VERSION", Properties.versionNumberString()
                .replaceAll("^(\\d+\\.\\d+).*", "$1"));
        Process p = pb.start();
        // setsid execs java in place: the PID is the JVM's
        return p.pid();
    }

    private static JsonNode masterJson(String webUi) {
        try {
            HttpURLConnection c = (HttpURLConnection) URI.create(webUi + "/json/").toURL().openConnection();
            c.setConnectTimeout(2000);
            c.setReadTimeout(2000);
            try (InputStream in = c.getInputStream()) {
                return JSON.readTree(in);
            }
        } catch (IOException e) {
            return null;
        }
    }

    static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 0, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }

    /** Deletes a file tree without following links out of it (SPARK_HOME/jars holds links). */
    static void deleteRecursively(Path p) throws IOException {
        if (!Files.exists(p, LinkOption.NOFOLLOW_LINKS)) {
            return;
        }
        try (var s = Files.walk(p)) {
            for (Path q : s.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(q);
            }
        }
    }
}
