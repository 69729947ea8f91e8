package org.segspark.preprocess.shards;

import org.segspark.core.shards.ShardFileReader;
import org.segspark.core.shards.ShardFormat;
import org.segspark.core.shards.UnsupportedShardFormatException;
import org.segspark.core.shards.ShardRow;
import org.segspark.core.shards.ShardFileWriter;
import org.segspark.core.shards.ShardManifest;

import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.Path;
import org.apache.parquet.example.data.simple.SimpleGroupFactory;
import org.apache.parquet.hadoop.ParquetWriter;
import org.apache.parquet.hadoop.example.ExampleParquetWriter;
import org.apache.parquet.hadoop.metadata.CompressionCodecName;
import org.apache.parquet.hadoop.util.HadoopOutputFile;
import org.apache.parquet.io.api.Binary;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ShardFileTest {
    private final Configuration conf = new Configuration();

    static List<ShardRow> rows(int n, int h, int w, long seed) {
        Random r = new Random(seed);
        List<ShardRow> rows = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            byte[] img = new byte[h * w * 3];
            byte[] mask = new byte[h * w];
            r.nextBytes(img);
            for (int k = 0; k < mask.length; k++) {
                mask[k] = (byte) (r.nextInt(10) == 0 ? 255 : r.nextInt(4));
            }
            rows.add(ShardRow.segmentation("img-" + i, "src/" + i + ".jpg", "train", h, w, img, mask));
        }
        return rows;
    }

    static void assertRowsEqual(List<ShardRow> expected, List<ShardRow> actual) {
        assertEquals(expected.size(), actual.size());
        for (int i = 0; i < expected.size(); i++) {
            ShardRow e = expected.get(i), a = actual.get(i);
            assertEquals(e.key(), a.key());
            assertEquals(e.source(), a.source());
            assertEquals(e.split(), a.split());
            assertEquals(e.height(), a.height());
            assertEquals(e.width(), a.width());
            assertEquals(e.channels(), a.channels());
            assertArrayEquals(e.image(), a.image(), e.key());
            assertArrayEquals(e.mask(), a.mask(), e.key());
            assertEquals(e.label(), a.label());
        }
    }

    @Test
    void writeReadRoundTripWithExactRowGroups(@TempDir java.nio.file.Path dir) throws Exception {
        Path file = new Path(dir.resolve("s.parquet").toUri());
        List<ShardRow> rows = rows(37, 24, 32, 1);
        try (ShardFileWriter w = new ShardFileWriter(file, conf, 8, ShardFileWriter.bytesPerRow(rows.get(0)),
                CompressionCodecName.ZSTD)) {
            for (ShardRow r : rows) {
                w.write(r);
            }
        }
        try (ShardFileReader r = new ShardFileReader(file, conf)) {
            assertEquals(List.of(8L, 8L, 8L, 8L, 5L), r.rowGroupRows());
            assertRowsEqual(rows, r.readAll());
            assertRowsEqual(rows.subList(16, 24), r.readRowGroup(2));
        }
    }

    @Test
    void classificationRowsKeepTheirLabel(@TempDir java.nio.file.Path dir) throws Exception {
        Path file = new Path(dir.resolve("c.parquet").toUri());
        List<ShardRow> rows = List.of(ShardRow.classification("a", "a.jpg", "val", 8, 8, new byte[192], 7),
                ShardRow.classification("b", "b.jpg", "val", 8, 8, new byte[192], 0));
        try (ShardFileWriter w = new ShardFileWriter(file, conf, 4, ShardFileWriter.bytesPerRow(rows.get(0)),
                CompressionCodecName.ZSTD)) {
            for (ShardRow r : rows) {
                w.write(r);
            }
        }
        try (ShardFileReader r = new ShardFileReader(file, conf)) {
            assertRowsEqual(rows, r.readAll());
        }
    }

    @Test
    void filesOfAnUnknownVersionOrNotShardsAreRefused(@TempDir java.nio.file.Path dir) throws Exception {
        for (String version : new String[] {"2", null}) {
            Path file = new Path(dir.resolve("v" + version + ".parquet").toUri());
            var builder = ExampleParquetWriter.builder(HadoopOutputFile.fromPath(file, conf)).withConf(conf)
                    .withType(ShardFormat.SCHEMA);
            if (version != null) {
                builder = builder.withExtraMetaData(Map.of(ShardFormat.FOOTER_VERSION_KEY, version));
            }
            try (ParquetWriter<org.apache.parquet.example.data.Group> w = builder.build()) {
                w.write(new SimpleGroupFactory(ShardFormat.SCHEMA).newGroup().append("key", "k").append("source", "s")
                        .append("split", "train").append("height", 1).append("width", 1).append("channels", 3)
                        .append("image", Binary.fromConstantByteArray(new byte[3])));
            }
            UnsupportedShardFormatException e = assertThrows(UnsupportedShardFormatException.class,
                    () -> new ShardFileReader(file, conf));
            assertTrue(e.getMessage().contains(version == null ? "not a segspark shard" : "version 2"), e.getMessage());
        }
    }

    @Test
    void manifestOfAnUnknownVersionIsRefusedBeforeBinding() {
        String json = "{\"format\":\"segspark-shards\",\"format_version\":2,\"task\":\"segmentation\"}";
        UnsupportedShardFormatException e = assertThrows(UnsupportedShardFormatException.class,
                () -> ShardManifest.fromJson(json.getBytes(StandardCharsets.UTF_8), "m.json"));
        assertTrue(e.getMessage().startsWith("m.json is shard format version 2; this segspark reads version 1 only"),
                e.getMessage());
        assertThrows(UnsupportedShardFormatException.class,
                () -> ShardManifest.fromJson("{\"format\":\"other\"}".getBytes(StandardCharsets.UTF_8), "x"));
    }
}
