package org.segspark.jobs.spark;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import org.apache.spark.SparkConf;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Executors' JavaCPP caps follow Spark's memory settings, and a user's own caps win. */
class SparksTest {

    private static Config spark(String conf) {
        return ConfigFactory.parseString("spark { master = \"local[1]\", app-name = test, conf { " + conf + " } }");
    }

    @Test
    void executorsCollectBeforeTheirContainerLimit() {
        SparkConf c = Sparks.conf(spark("\"spark.executor.memory\" = 4g, \"spark.executor.memoryOverhead\" = 3g"), null);
        String opts = c.get("spark.executor.extraJavaOptions");
        assertTrue(opts.contains("-Dorg.bytedeco.javacpp.maxbytes=2048m"), opts);
        assertTrue(opts.contains("-Dorg.bytedeco.javacpp.maxphysicalbytes=7168m"), opts);
        assertTrue(opts.contains("--add-opens=java.base/java.nio=ALL-UNNAMED"), opts);
    }

    @Test
    void aSmallOverheadKeepsHalfOfItForArrays() {
        String opts = Sparks.conf(spark("\"spark.executor.memory\" = 2g, \"spark.executor.memoryOverhead\" = 1200m"), null)
                .get("spark.executor.extraJavaOptions");
        assertTrue(opts.contains("maxbytes=600m") && opts.contains("maxphysicalbytes=3248m"), opts);
    }

    @Test
    void noOverheadOrOwnCapsLeaveJavaCppAlone() {
        assertFalse(Sparks.conf(spark("\"spark.executor.memory\" = 4g"), null).get("spark.executor.extraJavaOptions")
                .contains("javacpp"));
        String own = Sparks.conf(spark("\"spark.executor.memoryOverhead\" = 3g, "
                        + "\"spark.executor.extraJavaOptions\" = \"-Dorg.bytedeco.javacpp.maxbytes=5G\""), null)
                .get("spark.executor.extraJavaOptions");
        assertTrue(own.contains("maxbytes=5G") && !own.contains("maxphysicalbytes"), own);
    }
}
