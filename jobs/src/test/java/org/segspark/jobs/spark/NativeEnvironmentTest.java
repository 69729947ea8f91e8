package org.segspark.jobs.spark;

import com.typesafe.config.ConfigFactory;
import org.apache.spark.SparkConf;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.segspark.models.layers.NativeSpeed;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Every place that starts a segspark JVM gives it {@link NativeSpeed#ENVIRONMENT}: the launcher,
 * the container images, the test runner (this JVM) and, through the Spark conf, the executors.
 * A value changed in one place and not the others would make some runs slow again.
 */
class NativeEnvironmentTest {
    @Test
    void theLauncherExportsEachVariableUnlessTheUserSetIt() throws Exception {
        String launcher = Files.readString(Path.of("../segspark"));
        NativeSpeed.ENVIRONMENT.forEach((k, v) ->
                assertTrue(launcher.contains("export " + k + "=\"${" + k + ":-" + v + "}\""), k));
    }

    /** The launcher's choice of OpenBLAS kernels, run by bash on a given /proc/cpuinfo. */
    private static String launcherCoreFor(String cpuinfo, Path dir) throws Exception {
        String launcher = Files.readString(Path.of("../segspark"));
        int from = launcher.indexOf("openblas_coretype() {"), to = launcher.indexOf("\n}\n", from) + 3;
        Path file = Files.writeString(dir.resolve("cpuinfo"), cpuinfo);
        Process p = new ProcessBuilder("bash", "-c", "set -euo pipefail\n" + launcher.substring(from, to)
                + "openblas_coretype \"$1\"", "bash", file.toString()).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes()).strip();
        assertEquals(0, p.waitFor(), out);
        return out;
    }

    @Test
    void theLauncherAsksOpenBlasForItsAvx512KernelsOnAmdCpusThatHaveIt(@TempDir Path dir) throws Exception {
        String zen5 = "vendor_id\t: AuthenticAMD\nflags\t\t: fpu avx2 avx512f avx512dq avx512cd avx512bw avx512vl\n";
        assertEquals(NativeSpeed.OPENBLAS_CORE, launcherCoreFor(zen5, dir));
        assertEquals("", launcherCoreFor(zen5.replace("AuthenticAMD", "GenuineIntel"), dir));
        assertEquals("", launcherCoreFor(zen5.replace(" avx512vl", ""), dir));
        assertTrue(Files.readString(Path.of("../segspark")).contains("if [ -z \"${OPENBLAS_CORETYPE:-}\" ]; then"),
                "a value the user set is kept");
    }

    @ParameterizedTest
    @ValueSource(strings = {"Dockerfile", "Dockerfile.cuda"})
    void theContainerImagesSetEachVariable(String file) throws Exception {
        String image = Files.readString(Path.of("../k8s").resolve(file));
        NativeSpeed.ENVIRONMENT.forEach((k, v) -> assertTrue(image.matches("(?s).*\\nENV [^\\n]*\\b" + k + "=" + v + "\\b.*"),
                file + ": " + k));
    }

    @Test
    void theTestRunnerStartsThisJvmWithTheEnvironment() {
        NativeSpeed.ENVIRONMENT.forEach((k, v) -> assertEquals(v, System.getenv(k), k));
    }

    @Test
    void executorsGetTheEnvironmentUnlessTheConfSetsItsOwn() {
        SparkConf conf = Sparks.conf(ConfigFactory.parseString(
                "spark { master = \"local[1]\", app-name = t, conf { \"spark.executorEnv.GOMP_SPINCOUNT\" = 5 } }"), null);
        for (Map.Entry<String, String> e : NativeSpeed.ENVIRONMENT.entrySet()) {
            String expected = e.getKey().equals("GOMP_SPINCOUNT") ? "5" : e.getValue();
            assertEquals(expected, conf.get("spark.executorEnv." + e.getKey()), e.getKey());
        }
    }
}
