package org.segspark.jobs.cli;

import org.junit.jupiter.api.Test;
import org.segspark.jobs.Main;
import picocli.CommandLine;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The Kubernetes manifests name a real main class, a command line segspark accepts, and segspark's JVM options. */
class K8sManifestsTest {
    static final Path NIGHTLY = Path.of("../k8s/preprocess-nightly.yaml");

    static String value(List<String> lines, String key) {
        return lines.stream().map(String::trim).filter(l -> l.startsWith(key + ":")).findFirst()
                .map(l -> l.substring(key.length() + 1).trim().replaceAll("^\"|\"$", "")).orElseThrow(() -> new AssertionError(key));
    }

    @Test
    void theNightlyPreprocessingRunsACommandSegsparkAccepts() throws Exception {
        List<String> lines = Files.readAllLines(NIGHTLY);
        assertEquals("ScheduledSparkApplication", value(lines, "kind"));
        assertEquals(Main.class.getName(), value(lines, "mainClass"));
        List<String> args = new ArrayList<>();
        boolean in = false;
        for (String l : lines) {
            if (l.trim().equals("arguments:")) {
                in = true;
            } else if (in && l.trim().startsWith("- ")) {
                args.add(l.trim().substring(2).replaceAll("^\"|\"$", ""));
            } else if (in) {
                break;
            }
        }
        assertTrue(args.size() > 4, args.toString());
        // parses without running: unknown options or subcommands would throw
        CommandLine.ParseResult parsed = new CommandLine(new Main()).parseArgs(args.toArray(String[]::new));
        assertEquals("coco", parsed.subcommand().subcommand().commandSpec().name());

        List<String> opts = Files.readAllLines(Path.of("../conf/jvm.options")).stream()
                .filter(l -> !l.isBlank() && !l.startsWith("#")).toList();
        String expected = String.join(" ", opts);
        long withOpts = lines.stream().map(String::trim).filter(l -> l.startsWith("javaOptions:"))
                .filter(l -> l.equals("javaOptions: \"" + expected + "\"")).count();
        assertEquals(2, withOpts, "driver and executor carry conf/jvm.options");
    }
}
