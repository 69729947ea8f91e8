package org.segspark.jobs.bench;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The peak resident memory of the JVMs one benchmark row ran in: the driver and every Spark
 * executor on this machine, read from Linux's /proc (VmHWM, the process's high-water mark).
 * Executors exit with their application, so they are sampled twice a second while the row runs;
 * the high-water mark never falls, so a sample shortly before exit holds the peak. Where /proc
 * is absent the figures are empty.
 */
public final class PeakMemory implements AutoCloseable {
    private static final String EXECUTOR = "CoarseGrainedExecutorBackend";
    private final long driverPid;
    private final Map<String, Long> peaks = new ConcurrentHashMap<>();
    private final Thread sampler;
    private volatile boolean running = true;

    private PeakMemory(long driverPid) {
        this.driverPid = driverPid;
        this.sampler = new Thread(this::sample, "segspark-peak-memory");
        sampler.setDaemon(true);
        sampler.start();
    }

    /** Watches this JVM as the driver, its high-water mark reset first (rows before it ran here too). */
    public static PeakMemory ofThisJvm() {
        try {
            Files.writeString(Path.of("/proc/self/clear_refs"), "5");
        } catch (IOException | UnsupportedOperationException e) {
            // no /proc, or not allowed: the peak then covers this JVM's whole life, which the row says
        }
        return new PeakMemory(ProcessHandle.current().pid());
    }

    /** Watches the driver process {@code pid} (a spark-submit child) and the executors. */
    public static PeakMemory of(long pid) {
        return new PeakMemory(pid);
    }

    private void sample() {
        while (running) {
            sampleOnce();
            try {
                Thread.sleep(500);
            } catch (InterruptedException e) {
                return;
            }
        }
    }

    private void sampleOnce() {
        record(driverPid, "driver");
        ProcessHandle.allProcesses().forEach(p -> {
            String cmd = cmdline(p.pid());
            if (cmd.contains(EXECUTOR)) {
                record(p.pid(), "executor " + argument(cmd, "--executor-id"));
            }
        });
    }

    private void record(long pid, String label) {
        long kb = highWaterKb(pid);
        if (kb > 0) {
            peaks.merge(label, kb * 1024, Math::max);
        }
    }

    /** Peak resident bytes by JVM ("driver", "executor 0", ...), sampled once more now. */
    public Map<String, Long> peaks() {
        sampleOnce();
        return new TreeMap<>(peaks);
    }

    @Override
    public void close() {
        running = false;
        sampler.interrupt();
    }

    private static long highWaterKb(long pid) {
        try {
            for (String line : Files.readAllLines(Path.of("/proc", Long.toString(pid), "status"))) {
                if (line.startsWith("VmHWM:")) {
                    return Long.parseLong(line.substring(6).trim().split("\\s+")[0]);
                }
            }
        } catch (IOException | RuntimeException e) {
            // the process ended between listing and reading, or no /proc
        }
        return 0;
    }

    private static String cmdline(long pid) {
        try {
            return new String(Files.readAllBytes(Path.of("/proc", Long.toString(pid), "cmdline")), StandardCharsets.UTF_8)
                    .replace('\0', ' ');
        } catch (IOException | RuntimeException e) {
            return "";
        }
    }

    private static String argument(String cmd, String name) {
        String[] parts = cmd.split(" ");
        for (int i = 0; i + 1 < parts.length; i++) {
            if (parts[i].equals(name)) {
                return parts[i + 1];
            }
        }
        return "?";
    }
}
