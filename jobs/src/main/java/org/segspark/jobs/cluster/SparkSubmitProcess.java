package org.segspark.jobs.cluster;

import java.net.URISyntaxException;

import org.segspark.jobs.spark.Sparks;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A segspark command submitted to a {@link LocalCluster} the way a user runs spark-submit in
 * client mode: a child JVM running SparkSubmit with the cluster's SPARK_HOME jars and the shaded
 * app jar, one core and {@code executorMemory} per executor, its output in a log file.
 */
public final class SparkSubmitProcess {
    private final Process process;
    private final Path log;
    private final String name;

    private SparkSubmitProcess(Process process, Path log, String name) {
        this.process = process;
        this.log = log;
        this.name = name;
    }

    public static SparkSubmitProcess start(LocalCluster.State cluster, Path appJar, String executorMemory, int executors,
                                           Path log, String name, List<String> args) throws IOException {
        List<String> cmd = new ArrayList<>();
        cmd.add(ProcessHandle.current().info().command().orElseThrow());
        cmd.add("-Xmx2g");
        cmd.addAll(Sparks.jvmOptions());
        cmd.add("-cp");
        cmd.add(cluster.sparkHome() + File.separator + "jars" + File.separator + "*");      // as bin/spark-submit does
        cmd.addAll(List.of("org.apache.spark.deploy.SparkSubmit", "--master", cluster.masterUrl(),
                "--deploy-mode", "client", "--class", "org.segspark.jobs.Main", "--name", name,
                "--conf", "spark.executor.memory=" + executorMemory, "--conf", "spark.executor.cores=1",
                "--conf", "spark.cores.max=" + executors, "--conf", "spark.ui.enabled=false",
                appJar.toString()));
        cmd.addAll(args);
        Files.createDirectories(log.toAbsolutePath().getParent());
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile());
        pb.environment().put("SPARK_HOME", cluster.sparkHome());
        pb.environment().put("SPARK_LOCAL_IP", "127.0.0.1");
        return new SparkSubmitProcess(pb.start(), log, name);
    }

    public Process process() {
        return process;
    }

    public Path log() {
        return log;
    }

    /**
     * Waits up to {@code minutes}; a failure (or timeout, after which the process is killed) throws
     * with segspark's lines from the end of the log (Spark's own log lines and stack frames left out).
     */
    public void finish(long minutes) throws IOException, InterruptedException {
        boolean done = process.waitFor(minutes, TimeUnit.MINUTES);
        if (!done) {
            process.destroyForcibly();
        }
        if (done && process.exitValue() == 0) {
            return;
        }
        String ours = String.join("\n", Files.readString(log).lines()
                .filter(l -> !l.matches("^\\d\\d/\\d\\d/\\d\\d .*") && !l.startsWith("\tat ")).toList());
        throw new IllegalStateException(name + " failed (exit " + (done ? process.exitValue() : "timeout after "
                + minutes + " min") + "; log " + log + "):\n" + ours.substring(Math.max(0, ours.length() - 4000)));
    }

    /** The shaded jar this JVM runs from, as spark-submit needs it. */
    public static Path appJar() {
        try {
            Path p = Path.of(SparkSubmitProcess.class.getProtectionDomain().getCodeSource().getLocation().toURI());
            if (!p.toString().endsWith(".jar")) {
                throw new IllegalStateException("submitting to a cluster needs segspark's app jar; this JVM runs from "
                        + p + " (use ./segspark, which builds and runs the jar)");
            }
            return p;
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }
}
