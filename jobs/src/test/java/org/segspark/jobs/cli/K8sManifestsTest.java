package org.segspark.jobs.cli;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
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
    static String value(List<String> lines, String key) {
        return lines.stream().map(String::trim).filter(l -> l.startsWith(key + ":")).findFirst()
                .map(l -> l.substring(key.length() + 1).trim().replaceAll("^\"|\"$", "")).orElseThrow(() -> new AssertionError(key));
    }

    static List<String> arguments(List<String> lines) {
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
        return args;
    }

    @ParameterizedTest
    @CsvSource({"preprocess-nightly.yaml, ScheduledSparkApplication, coco",
            "train-cpu.yaml, SparkApplication, train",
            "train-gpu.yaml, SparkApplication, train"})
    void everyManifestRunsACommandSegsparkAcceptsWithItsJvmOptions(String file, String kind, String command)
            throws Exception {
        List<String> lines = Files.readAllLines(Path.of("../k8s").resolve(file));
        assertEquals(kind, value(lines, "kind"));
        assertEquals(Main.class.getName(), value(lines, "mainClass"));
        List<String> args = arguments(lines);
        assertTrue(args.size() > 4, args.toString());
        // parses without running: unknown options or subcommands would throw
        CommandLine.ParseResult parsed = new CommandLine(new Main()).parseArgs(args.toArray(String[]::new));
        CommandLine.ParseResult leaf = parsed.subcommand();
        while (leaf.subcommand() != null) {
            leaf = leaf.subcommand();
        }
        assertEquals(command, leaf.commandSpec().name());

        List<String> opts = Files.readAllLines(Path.of("../conf/jvm.options")).stream()
                .filter(l -> !l.isBlank() && !l.startsWith("#")).toList();
        String expected = String.join(" ", opts);
        long withOpts = lines.stream().map(String::trim).filter(l -> l.startsWith("javaOptions:"))
                .filter(l -> l.equals("javaOptions: \"" + expected + "\"")).count();
        assertEquals(2, withOpts, "driver and executor carry conf/jvm.options");
    }

    @ParameterizedTest
    @CsvSource({"preprocess-nightly.yaml, Dockerfile", "train-cpu.yaml, Dockerfile", "train-gpu.yaml, Dockerfile.cuda"})
    void everyManifestRunsTheJarItsImageCarries(String file, String dockerfile) throws Exception {
        List<String> lines = Files.readAllLines(Path.of("../k8s").resolve(file));
        String jar = value(lines, "mainApplicationFile");
        assertTrue(jar.startsWith("local://"), jar);
        String docker = Files.readString(Path.of("../k8s").resolve(dockerfile));
        assertTrue(docker.contains("-app.jar " + jar.substring("local://".length()) + "\n"), dockerfile + " puts " + jar);
        assertEquals(dockerfile.endsWith(".cuda"), value(lines, "image").endsWith("-cuda"),
                "GPU manifests run the CUDA image, CPU ones the plain image");
    }

    @Test
    void theDiscoveryScriptReportsTheVisibleDevicesFromZero() throws Exception {
        ProcessBuilder pb = new ProcessBuilder("bash", "../conf/gpu-discovery.sh").redirectErrorStream(true);
        pb.environment().put("CUDA_VISIBLE_DEVICES", "2,3");
        Process p = pb.start();
        String out = new String(p.getInputStream().readAllBytes()).trim();
        assertEquals(0, p.waitFor());
        assertEquals("{\"name\": \"gpu\", \"addresses\": [\"0\",\"1\"]}", out);

        ProcessBuilder none = new ProcessBuilder("bash", "../conf/gpu-discovery.sh").redirectErrorStream(true);
        none.environment().remove("CUDA_VISIBLE_DEVICES");
        none.environment().put("PATH", "/usr/bin:/bin");
        Process q = none.start();
        String err = new String(q.getInputStream().readAllBytes());
        if (!Files.exists(Path.of("/usr/bin/nvidia-smi"))) {
            assertEquals(1, q.waitFor(), err);
            assertTrue(err.contains("no GPU to report"), err);
        }
    }

    @Test
    void theGpuManifestAsksForOneGpuPerExecutorAndOneTaskPerGpu() throws Exception {
        List<String> lines = Files.readAllLines(Path.of("../k8s/train-gpu.yaml"));
        List<String> executor = lines.subList(lines.indexOf("  executor:"), lines.size());
        List<String> gpu = executor.subList(executor.indexOf("    gpu:"), executor.size());
        assertEquals("nvidia.com/gpu", value(gpu, "name"));
        assertEquals("1", value(gpu, "quantity"));
        assertEquals("1", value(lines, "spark.executor.resource.gpu.amount"));
        assertEquals("1", value(lines, "spark.task.resource.gpu.amount"));
        assertEquals(value(executor, "cores"), value(lines, "spark.task.cpus"), "one training task per executor");
        assertTrue(Files.isExecutable(Path.of("../conf/gpu-discovery.sh")));
        assertTrue(arguments(lines).contains("cuda"));
    }
}
