package org.segspark.jobs.config;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class JobConfigTest {
    @Test
    void laterLayersWin(@TempDir Path dir) throws Exception {
        Path user = dir.resolve("my.conf");
        Files.writeString(user, "train { epochs = 7, batch = 3, optimizer.lr = 0.5 }");
        JobConfig c = JobConfig.of("train").file(user.toFile()).option("train.batch", 5).option("train.mode", null)
                .set(List.of("train.optimizer.lr=0.01", "train.seed = 9")).load();
        assertEquals(7, c.get().getInt("train.epochs"), "user file over defaults");
        assertEquals(5, c.get().getInt("train.batch"), "named option over user file");
        assertEquals(0.01, c.get().getDouble("train.optimizer.lr"), "--set over everything");
        assertEquals(9, c.get().getInt("train.seed"));
        assertEquals("parameter-averaging", c.get().getString("train.mode"), "an option not given leaves the default");
        assertEquals("local[*]", c.get().getString("spark.master"), "spark defaults are always there");
        assertTrue(c.render().contains("epochs"));
    }

    @Test
    void compositeJobsFallBackOnEachOthersDefaults() {
        JobConfig c = JobConfig.of("demo", "synth-coco", "preprocess-coco", "train").load();
        assertEquals(480, c.get().getInt("synth-coco.images"), "demo.conf overrides synth-coco.conf");
        assertEquals("zstd", c.get().getString("preprocess.coco.compression"), "untouched defaults remain");
    }

    @Test
    void malformedOverridesAreNamed() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> JobConfig.of("train").set(List.of("train.epochs")).load());
        assertTrue(e.getMessage().contains("key=value"), e.getMessage());
    }
}
