package org.segspark.jobs.cluster;

import java.io.UncheckedIOException;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;

/**
 * Gradient sharing's Aeron media drivers leave a folder in /dev/shm per JVM (8 to 105 MB each)
 * that nothing removes when the JVM ends; enough runs fill the machine's shared memory. A folder
 * is stale when no live process maps a file inside it (/proc/PID/maps), so stale ones can be
 * removed at any time without touching a running job's.
 */
public final class AeronDirs {
    static final Path SHM = Path.of("/dev/shm");

    private AeronDirs() {
    }

    /** Removes this user's stale Aeron folders; returns how many. Never throws. */
    public static int removeStale() {
        if (!Files.isDirectory(SHM) || !Files.isDirectory(Path.of("/proc/self"))) {
            return 0;
        }
        String prefix = "aeron-" + System.getProperty("user.name") + "-";
        List<Path> candidates = new ArrayList<>();
        try (DirectoryStream<Path> s = Files.newDirectoryStream(SHM, prefix + "*")) {
            s.forEach(candidates::add);
        } catch (IOException e) {
            return 0;
        }
        if (candidates.isEmpty()) {
            return 0;
        }
        Set<String> mapped;
        try {
            mapped = mappedAeronDirs();
        } catch (UncheckedIOException e) {
            return 0;
        }
        int removed = 0;
        for (Path dir : candidates) {
            if (!mapped.contains(dir.getFileName().toString()) && delete(dir)) {
                removed++;
            }
        }
        return removed;
    }

    /** Names of /dev/shm/aeron-* folders some live process maps a file from. */
    private static Set<String> mappedAeronDirs() {
        Set<String> names = new HashSet<>();
        try (DirectoryStream<Path> procs = Files.newDirectoryStream(Path.of("/proc"), "[0-9]*")) {
            for (Path proc : procs) {
                try (Stream<String> lines = Files.lines(proc.resolve("maps"))) {
                    lines.forEach(l -> {
                        int i = l.indexOf("/dev/shm/aeron-");
                        if (i >= 0) {
                            String rest = l.substring(i + "/dev/shm/".length());
                            int slash = rest.indexOf('/');
                            names.add(slash < 0 ? rest : rest.substring(0, slash));
                        }
                    });
                } catch (IOException | RuntimeException e) {
                    // a process that just ended, or another user's (which cannot map this user's folders)
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot list /proc", e);
        }
        return names;
    }

    private static boolean delete(Path dir) {
        try {
            LocalCluster.deleteRecursively(dir);
            return true;
        } catch (IOException | RuntimeException e) {
            return false;
        }
    }
}
