package org.segspark.preprocess.pairs;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.segspark.preprocess.SparkTest;
import org.apache.parquet.hadoop.metadata.CompressionCodecName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.segspark.preprocess.image.Resize;
import org.segspark.preprocess.job.ShardJob;
import org.segspark.preprocess.job.ShardJobOptions;
import org.segspark.core.shards.ShardFormat;
import org.segspark.core.shards.ShardManifest;
import org.segspark.core.shards.ShardRow;
import org.segspark.core.shards.ShardSet;

import javax.imageio.ImageIO;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Reruns over a growing, changing paired-folder data set: unchanged inputs write nothing, new
 * inputs are processed alone, a changed or removed input replaces only its task's files, and the
 * result always equals a full rebuild of the same inputs.
 */
class IncrementalRunTest extends SparkTest {
    static final int S = 12;

    @TempDir
    Path dir;

    Path images() {
        return dir.resolve("images");
    }

    Path masks() {
        return dir.resolve("masks");
    }

    /** A pair whose image and mask depend on {@code shade}. */
    void pair(String stem, int shade) throws IOException {
        Files.createDirectories(images());
        Files.createDirectories(masks());
        BufferedImage img = new BufferedImage(S, S, BufferedImage.TYPE_INT_RGB);
        BufferedImage m = new BufferedImage(S, S, BufferedImage.TYPE_BYTE_GRAY);
        for (int y = 0; y < S; y++) {
            for (int x = 0; x < S; x++) {
                img.setRGB(x, y, (shade & 0xff) << 16 | (x * 20) << 8 | y * 20);
                m.getRaster().setSample(x, y, 0, x < shade % S ? 1 : 0);
            }
        }
        assertTrue(ImageIO.write(img, "png", images().resolve(stem + ".png").toFile()));
        assertTrue(ImageIO.write(m, "png", masks().resolve(stem + ".png").toFile()));
    }

    ShardJob.Result run(Path out, boolean incremental, int side) throws IOException {
        JsonNode config = new ObjectMapper().readTree("{\"mask-map\": \"0=0,1=1\", \"out\": \"" + out + "\"}");
        return PairedShardJob.run(jsc(), images().toString(), masks().toString(), MaskMapping.parse("0=0,1=1", 2),
                List.of("background", "thing"), new ShardJobOptions(out.toString(), side, side, 2, 4,
                        CompressionCodecName.ZSTD, incremental, true, false, false),
                Resize.Aspect.STRETCH, 0.3, 5, 100_000_000L, config);
    }

    Map<String, ShardRow> rows(Path out) throws IOException {
        return rowsByKey(out.toString(), jsc().hadoopConfiguration());
    }

    /** Every file under the shard set with its modification time. */
    static Map<String, Long> files(Path out) throws IOException {
        Map<String, Long> files = new TreeMap<>();
        try (Stream<Path> s = Files.walk(out)) {
            // .crc: the local file system's checksum siblings
            for (Path p : s.filter(p -> Files.isRegularFile(p) && !p.getFileName().toString().endsWith(".crc")).toList()) {
                files.put(out.relativize(p).toString(), Files.getLastModifiedTime(p).toMillis());
            }
        }
        return files;
    }

    void touchLater(Path p) throws IOException {
        Files.setLastModifiedTime(p, FileTime.fromMillis(Files.getLastModifiedTime(p).toMillis() + 60_000));
    }

    @Test
    void rerunsProcessOnlyWhatChangedAndEqualAFullRebuild() throws Exception {
        for (int i = 0; i < 12; i++) {
            pair(String.format("p%02d", i), 10 * i + 3);
        }
        Path out = dir.resolve("shards");
        ShardJob.Result first = run(out, true, S);
        assertEquals("full", first.increment().mode());
        assertEquals("no earlier shard set", first.increment().why());
        assertEquals(12, first.accounting().written());

        Map<String, Long> before = files(out);
        byte[] manifest = Files.readAllBytes(out.resolve(ShardFormat.MANIFEST));
        ShardJob.Result same = run(out, true, S);
        assertEquals("up-to-date", same.increment().mode());
        assertEquals(12, same.increment().reusedInputs());
        assertEquals(12, same.accounting().written());
        assertEquals(before, files(out), "an unchanged rerun writes nothing");
        assertArrayEquals(manifest, Files.readAllBytes(out.resolve(ShardFormat.MANIFEST)));

        pair("p12", 7);
        pair("p13", 77);
        pair("p14", 177);
        ShardJob.Result grown = run(out, true, S);
        assertEquals("incremental", grown.increment().mode());
        assertEquals(12, grown.increment().reusedInputs());
        assertEquals(3, grown.increment().processedInputs());
        assertEquals(0, grown.increment().replacedParts());
        assertEquals(15, rows(out).size());
        for (String f : before.keySet()) {
            if (f.startsWith(ShardFormat.DATA_DIR)) {
                assertEquals(before.get(f), files(out).get(f), "the first run's file is kept as it was: " + f);
            }
        }

        pair("p03", 250);
        touchLater(images().resolve("p03.png"));
        ShardJob.Result changed = run(out, true, S);
        assertEquals(1, changed.increment().replacedParts());
        assertTrue(changed.increment().processedInputs() >= 1 && changed.increment().processedInputs() < 15,
                changed.increment().describe());
        assertEquals(15, changed.increment().reusedInputs() + changed.increment().processedInputs());
        assertEquals(250, rows(out).get("p03.png").image()[0] & 0xff, "the changed image's new pixels");

        Files.delete(images().resolve("p05.png"));
        Files.delete(masks().resolve("p05.png"));
        Files.writeString(images().resolve("q.png"), "");      // a zero-byte image: a reject
        pair("r", 5);
        Files.delete(masks().resolve("r.png"));                // an image without its mask: a reject
        ShardJob.Result removed = run(out, true, S);
        assertEquals(16, removed.accounting().inputs());
        assertEquals(14, removed.accounting().written());
        assertEquals(2, removed.accounting().rejected());
        Map<String, ShardRow> rows = rows(out);
        assertFalse(rows.containsKey("p05.png"));
        assertEquals(14, rows.size());

        Map<String, Long> settled = files(out);
        ShardJob.Result again = run(out, true, S);
        assertEquals("up-to-date", again.increment().mode(), "rejects are remembered too: " + again.increment().describe());
        assertEquals(2, again.accounting().rejected());
        assertEquals(settled, files(out));

        Path full = dir.resolve("full");
        ShardJob.Result rebuilt = run(full, false, S);
        assertEquals("incremental = false", rebuilt.increment().why());
        assertEquals(again.rejects(), rebuilt.rejects());
        Map<String, ShardRow> fullRows = rows(full);
        assertEquals(fullRows.keySet(), rows.keySet());
        for (String k : rows.keySet()) {
            assertEquals(fullRows.get(k).split(), rows.get(k).split(), k);
            assertArrayEquals(fullRows.get(k).image(), rows.get(k).image(), k);
            assertArrayEquals(fullRows.get(k).mask(), rows.get(k).mask(), k);
        }
        ShardManifest a = ShardSet.open(out.toString(), jsc().hadoopConfiguration()).manifest();
        ShardManifest b = ShardSet.open(full.toString(), jsc().hadoopConfiguration()).manifest();
        for (String split : List.of("train", "val")) {
            assertEquals(b.split(split).examples(), a.split(split).examples());
            assertArrayEquals(b.split(split).classPixels(), a.split(split).classPixels());
        }
        assertArrayEquals(b.normalization().mean(), a.normalization().mean(), 1e-9);
        assertArrayEquals(b.normalization().std(), a.normalization().std(), 1e-9);
        assertEquals(b.accounting(), a.accounting());

        ShardJob.Result resized = run(out, true, 8);
        assertEquals("full", resized.increment().mode());
        assertEquals("settings changed since the earlier set was made", resized.increment().why());
        List<String> left = new ArrayList<>(files(out).keySet());
        left.removeIf(f -> !f.startsWith(ShardFormat.DATA_DIR));
        ShardManifest m = ShardSet.open(out.toString(), jsc().hadoopConfiguration()).manifest();
        assertEquals(m.inputs().index().size() + m.split("train").shards().size() + m.split("val").shards().size(),
                left.size(), "the old set's files are gone: " + left);
    }
}
