package org.segspark.jobs.config;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
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

    @Test
    void unknownKeysAreRefusedWithTheNearestKnownOne(@TempDir Path dir) throws Exception {
        UnknownSettingException e = assertThrows(UnknownSettingException.class,
                () -> JobConfig.of("train").set(List.of("train.epohcs=3")).load());
        assertEquals("unknown setting train.epohcs in --set; did you mean train.epochs?", e.getMessage());
        Path user = Files.writeString(dir.resolve("u.conf"), "train.gradient-sharing.treshold = 1e-4\n");
        e = assertThrows(UnknownSettingException.class, () -> JobConfig.of("train").file(user.toFile()).load());
        assertTrue(e.getMessage().contains("did you mean train.gradient-sharing.threshold?"), e.getMessage());
        e = assertThrows(UnknownSettingException.class, () -> JobConfig.of("train").set(List.of("tran.epochs=3")).load());
        assertTrue(e.getMessage().contains("did you mean train.epochs?"), e.getMessage());
        assertThrows(UnknownSettingException.class, () -> JobConfig.of("train").set(List.of("zzz.qqq.www=1")).load());
        // open subtrees: any Spark property, the nas settings (checked by the nas models), a sweep's grid
        JobConfig.of("train").set(List.of("spark.conf.\"spark.executor.cores\"=2",
                "train.model-options.architecture.k=2", "sweep.grid.seed=[1,2]", "train.class-weights=[1,2]")).load();
    }

    @Test
    void aGivenSweepGridReplacesTheDefaultOneAndOldKeysStillLoad() {
        JobConfig grid = JobConfig.of("sweep").set(List.of("sweep.grid={optimizer.lr=[0.1,0.01]}")).load();
        assertEquals(Set.of("optimizer.lr"), grid.get().getConfig("sweep.grid").entrySet().stream()
                .map(Map.Entry::getKey).collect(Collectors.toSet()), "no k or variant from conf/sweep.conf");
        assertEquals(2, JobConfig.of("sweep").load().get().getConfig("sweep.grid").root().size(), "the default grid");
        // a run folder of the previous release says checkpoint.keep
        JobConfig old = JobConfig.of("train").set(List.of("train.checkpoint.keep=3")).load();
        assertEquals(3, old.get().getInt("train.keep-checkpoints"));
        assertFalse(old.get().hasPath("train.checkpoint"));
    }

    @Test
    void everyShippedConfigFileUsesKnownSettingsOnly() throws Exception {
        try (var files = Files.list(Path.of("../conf"))) {
            for (Path f : files.filter(p -> p.toString().endsWith(".conf")).toList()) {
                JobConfig.of("train").file(f.toFile()).load();
            }
        }
    }
}
