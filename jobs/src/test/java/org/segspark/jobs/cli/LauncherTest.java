package org.segspark.jobs.cli;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import javax.tools.JavaCompiler;
import javax.tools.ToolProvider;
import java.io.BufferedReader;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.FileTime;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The launcher script against a stand-in app jar: a job keeps running while the build's jar is
 * rewritten under it (a 30-epoch training run once lost its outputs to a rebuild started by another
 * command), and the launcher's copies of the jar do not pile up.
 */
class LauncherTest {
    private static final String APP_JAR = "jobs/target/segspark-jobs-0-app.jar";

    /** A Main that prints where it was loaded from, waits for a line, then loads a class it had not touched. */
    private static final String MAIN = """
            package org.segspark.jobs;
            public class Main {
                public static void main(String[] args) throws Exception {
                    System.out.println(Main.class.getProtectionDomain().getCodeSource().getLocation().getPath());
                    System.out.flush();
                    System.in.read();
                    System.out.println(Later.message());
                }
            }
            """;
    private static final String LATER = """
            package org.segspark.jobs;
            public class Later {
                public static String message() { return "loaded after the rebuild"; }
            }
            """;

    @Test
    void aRunningJobSurvivesARebuildOfTheJar(@TempDir Path dir) throws Exception {
        Path home = install(dir.resolve("home"));
        Path state = dir.resolve("state");
        writeJar(home.resolve(APP_JAR), dir.resolve("classes"), true, FileTime.fromMillis(System.currentTimeMillis()));
        Process p = launch(home, state);
        try (BufferedReader out = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
             OutputStream in = p.getOutputStream()) {
            Path loadedFrom = Path.of(out.readLine());
            assertTrue(loadedFrom.startsWith(state.resolve("jars")), "the job runs from the launcher's copy: " + loadedFrom);
            assertNotEquals(home.resolve(APP_JAR), loadedFrom);

            // a rebuild rewrites the jar in place, and this one no longer holds Later
            Files.write(home.resolve(APP_JAR), jarBytes(dir.resolve("classes"), false));
            in.write('\n');
            in.flush();
            assertEquals("loaded after the rebuild", out.readLine());
            assertTrue(p.waitFor(60, TimeUnit.SECONDS));
            assertEquals(0, p.exitValue());
        } finally {
            p.destroyForcibly();
        }
    }

    @Test
    void keepsTheThreeNewestCopies(@TempDir Path dir) throws Exception {
        Path home = install(dir.resolve("home"));
        Path state = dir.resolve("state");
        long now = System.currentTimeMillis();
        for (int build = 0; build < 5; build++) {
            // each build newer than the sources, so the launcher does not build itself
            writeJar(home.resolve(APP_JAR), dir.resolve("classes"), true, FileTime.fromMillis(now + build * 60_000L));
            Process p = launch(home, state);
            p.getOutputStream().write('\n');
            p.getOutputStream().close();
            assertTrue(p.waitFor(60, TimeUnit.SECONDS));
            assertEquals(0, p.exitValue(), new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8));
        }
        try (Stream<Path> copies = Files.list(state.resolve("jars"))) {
            List<String> names = copies.map(f -> f.getFileName().toString()).sorted().toList();
            assertEquals(3, names.size(), names.toString());
            long newest = (now + 4 * 60_000L) / 1000;
            assertTrue(names.stream().anyMatch(n -> n.contains("-" + newest + "-")), names.toString());
        }
    }

    /** A segspark folder holding the real launcher and JVM options, and no sources. */
    private static Path install(Path home) throws IOException {
        Files.createDirectories(home.resolve("conf"));
        Files.createDirectories(home.resolve("jobs/target"));
        Files.copy(Path.of("../segspark"), home.resolve("segspark"), StandardCopyOption.COPY_ATTRIBUTES);
        Files.copy(Path.of("../conf/jvm.options"), home.resolve("conf/jvm.options"));
        Files.copy(Path.of("../conf/log4j2.properties"), home.resolve("conf/log4j2.properties"));
        Files.writeString(home.resolve("jobs/target/spark-classpath.txt"), "");
        FileTime old = FileTime.fromMillis(System.currentTimeMillis() - 3_600_000L);
        for (String f : new String[] {"conf/jvm.options", "conf/log4j2.properties", "conf"}) {
            Files.setLastModifiedTime(home.resolve(f), old);
        }
        return home;
    }

    private static Process launch(Path home, Path state) throws IOException {
        ProcessBuilder pb = new ProcessBuilder("bash", home.resolve("segspark").toString());
        pb.environment().put("SEGSPARK_STATE", state.toString());
        pb.environment().put("SEGSPARK_JAVA_OPTS", "-Xmx64m");
        return pb.start();
    }

    private static void writeJar(Path jar, Path classes, boolean withLater, FileTime modified) throws IOException {
        Files.write(jar, jarBytes(classes, withLater));
        Files.setLastModifiedTime(jar, modified);
    }

    private static byte[] jarBytes(Path classes, boolean withLater) throws IOException {
        compile(classes);
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (JarOutputStream jar = new JarOutputStream(bytes)) {
            List<String> names = new ArrayList<>(List.of("org/segspark/jobs/Main.class"));
            if (withLater) {
                names.add("org/segspark/jobs/Later.class");
            }
            for (String name : names) {
                jar.putNextEntry(new JarEntry(name));
                jar.write(Files.readAllBytes(classes.resolve(name)));
                jar.closeEntry();
            }
        }
        return bytes.toByteArray();
    }

    private static void compile(Path classes) throws IOException {
        if (Files.exists(classes.resolve("org/segspark/jobs/Later.class"))) {
            return;
        }
        Path src = Files.createDirectories(classes.resolveSibling("src/org/segspark/jobs"));
        Files.writeString(src.resolve("Main.java"), MAIN);
        Files.writeString(src.resolve("Later.java"), LATER);
        Files.createDirectories(classes);
        JavaCompiler javac = ToolProvider.getSystemJavaCompiler();
        assertEquals(0, javac.run(null, null, null, "-d", classes.toString(),
                src.resolve("Main.java").toString(), src.resolve("Later.java").toString()));
    }
}
