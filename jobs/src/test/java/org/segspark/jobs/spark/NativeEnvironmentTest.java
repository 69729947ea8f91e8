package org.segspark.jobs.spark;

import com.typesafe.config.ConfigFactory;
import org.apache.spark.SparkConf;
import org.junit.jupiter.api.Test;
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
