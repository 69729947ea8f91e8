package org.segspark.preprocess.shards;

import org.segspark.core.shards.ShardFormat;
import org.segspark.core.shards.ShardSet;
import org.segspark.core.shards.DamagedShardSetException;

import org.apache.hadoop.conf.Configuration;
import org.apache.parquet.hadoop.metadata.CompressionCodecName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.segspark.preprocess.SparkTest;
import org.segspark.preprocess.folder.ImageFolderShardJob;
import org.segspark.preprocess.image.Resize;
import org.segspark.preprocess.job.NothingLostTest;
import org.segspark.preprocess.job.ShardJobOptions;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Every read of a shard file is checked against the manifest (once per file): a file damaged
 * after a copy that lost Hadoop's .crc side files, a missing file, rows that disagree with the
 * manifest's tensor and a truncated manifest are refused with the file named.
 */
class ShardIntegrityTest extends SparkTest {
    @TempDir
    Path dir;

    private Path set(CompressionCodecName codec) throws Exception {
        Path in = NothingLostTest.imageFolder(dir.resolve("in"), 12);
        Path out = dir.resolve("shards-" + codec);
        ImageFolderShardJob.run(jsc(), in.toString(), new ShardJobOptions(out.toString(), 32, 32, 4, 64, codec, true,
                false, false, false), Resize.Aspect.STRETCH, 0.25, 7, 100_000_000L, null);
        return out;
    }

    /** The local shard file a row-group reference ({@code file#index}) names. */
    private static Path fileOf(String ref) {
        return Path.of(java.net.URI.create(ref.substring(0, ref.lastIndexOf('#'))));
    }

    /** Inverts {@code n} bytes in the middle of a file and removes Hadoop's checksum side files, as a copy to S3 would. */
    static void damage(Path file, int n) throws Exception {
        byte[] b = Files.readAllBytes(file);
        int from = Math.max(4, b.length / 2 - n / 2);
        for (int i = from; i < Math.min(b.length - 8, from + n); i++) {
            b[i] = (byte) ~b[i];
        }
        Files.write(file, b);
        try (Stream<Path> s = Files.walk(file.getParent().getParent())) {
            for (Path crc : s.filter(p -> p.getFileName().toString().endsWith(".crc")).toList()) {
                Files.delete(crc);
            }
        }
    }

    @Test
    void aDamagedUncompressedShardWithoutCrcFilesIsRefusedNamingTheFile() throws Exception {
        Configuration conf = jsc().hadoopConfiguration();
        Path set = set(CompressionCodecName.UNCOMPRESSED);
        ShardSet s = ShardSet.open(set.toString(), conf);
        String ref = s.rowGroupRefs("train").get(0);
        assertTrue(ShardSet.readRowGroup(ref, conf).size() > 0, "whole, it reads");
        Path shard = fileOf(ref);
        damage(shard, 3000);
        DamagedShardSetException e = assertThrows(DamagedShardSetException.class, () -> ShardSet.readRowGroup(ref, conf));
        assertTrue(e.getMessage().contains(shard.getFileName().toString()) && e.getMessage().contains("SHA-256"), e.getMessage());
        List<String> problems = s.problems(conf);
        assertEquals(1, problems.size(), problems.toString());
        assertTrue(problems.get(0).contains(shard.getFileName().toString()));
        assertThrows(DamagedShardSetException.class, () -> s.verify(conf));
    }

    @Test
    void aDamagedZstdShardIsRefusedBeforeParquetDecodesIt() throws Exception {
        Configuration conf = jsc().hadoopConfiguration();
        Path set = set(CompressionCodecName.ZSTD);
        String ref = ShardSet.open(set.toString(), conf).rowGroupRefs("train").get(0);
        Path shard = fileOf(ref);
        damage(shard, 200);
        DamagedShardSetException e = assertThrows(DamagedShardSetException.class, () -> ShardSet.readRowGroup(ref, conf));
        assertTrue(e.getMessage().startsWith("file:" + shard) || e.getMessage().contains(shard.toString()), e.getMessage());
    }

    @Test
    void aMissingShardRowsOfAnotherSizeAndATruncatedManifestAreNamed() throws Exception {
        Configuration conf = jsc().hadoopConfiguration();
        Path set = set(CompressionCodecName.ZSTD);
        ShardSet s = ShardSet.open(set.toString(), conf);
        String ref = s.rowGroupRefs("val").get(0);

        // the manifest says 48x32; the rows are 32x32
        Path manifest = set.resolve(ShardFormat.MANIFEST);
        String text = Files.readString(manifest);
        Files.writeString(manifest, text.replaceFirst("\"height\" : 32", "\"height\" : 48"));
        Files.deleteIfExists(set.resolve(".manifest.json.crc"));   // edited by hand, as a user would
        DamagedShardSetException e = assertThrows(DamagedShardSetException.class, () -> ShardSet.readRowGroup(ref, conf));
        assertTrue(e.getMessage().contains("is 32x32x3 but the manifest's tensor is 48x32x3"), e.getMessage());
        Files.writeString(manifest, text);

        Path shard = fileOf(ref);
        Files.delete(shard);
        e = assertThrows(DamagedShardSetException.class, () -> ShardSet.readRowGroup(ref, conf));
        assertTrue(e.getMessage().contains(shard.getFileName().toString()) && e.getMessage().contains("missing"), e.getMessage());
        assertTrue(s.problems(conf).get(0).contains("missing"));

        Files.writeString(manifest, text.substring(0, text.length() / 2));
        e = assertThrows(DamagedShardSetException.class, () -> ShardSet.open(set.toString(), conf));
        assertTrue(e.getMessage().contains("manifest.json is not valid JSON at line"), e.getMessage());
    }
}
