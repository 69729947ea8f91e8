package org.segspark.jobs.cluster;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * The jars a local cluster's SPARK_HOME holds, from the build's two classpath lists: the Spark,
 * Scala and Hadoop jars segspark treats as provided, and the general libraries Spark also needs
 * that Maven resolved as segspark's own (commons-lang3, for one). DL4J, ND4J, JavaCPP natives and
 * segspark itself are left out: executors must get them from the shipped app jar, as on any
 * cluster, so a test on this cluster proves the app jar is complete.
 */
public final class ClusterJars {
    static final List<String> APP_ONLY = List.of("/org/deeplearning4j/", "/org/nd4j/", "/org/bytedeco/",
            "/org/datavec/", "/org/segspark/");

    private ClusterJars() {
    }

    /** From {@code jobs/target}: spark-classpath.txt plus runtime-classpath.txt less the app-only groups. */
    public static List<Path> fromBuild(Path jobsTarget) throws IOException {
        Set<Path> jars = new LinkedHashSet<>(read(jobsTarget.resolve("spark-classpath.txt")));
        for (Path p : read(jobsTarget.resolve("runtime-classpath.txt"))) {
            String s = p.toString().replace(File.separatorChar, '/');
            boolean ours = p.getFileName().toString().startsWith("segspark-") || !s.endsWith(".jar");
            if (!ours && APP_ONLY.stream().noneMatch(s::contains)) {
                jars.add(p);
            }
        }
        return new ArrayList<>(jars);
    }

    private static List<Path> read(Path file) throws IOException {
        if (!Files.exists(file)) {
            throw new IOException(file + " is missing: build segspark first (./mvnw -DskipTests install)");
        }
        List<Path> out = new ArrayList<>();
        for (String e : Files.readString(file).strip().split(File.pathSeparator)) {
            if (!e.isBlank()) {
                out.add(Path.of(e));
            }
        }
        return out;
    }
}
