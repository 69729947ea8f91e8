package org.segspark.preprocess.shards;

import org.segspark.core.shards.ShardFileReader;
import org.segspark.core.shards.ShardFormat;
import org.segspark.core.shards.ShardRow;
import org.segspark.core.shards.ShardFileWriter;

import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.Path;
import org.apache.parquet.example.data.Group;
import org.apache.parquet.hadoop.ParquetFileReader;
import org.apache.parquet.hadoop.ParquetReader;
import org.apache.parquet.hadoop.example.GroupReadSupport;
import org.apache.parquet.hadoop.metadata.CompressionCodecName;
import org.apache.parquet.hadoop.metadata.ParquetMetadata;
import org.apache.parquet.hadoop.util.HadoopInputFile;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

/**
 * The shards are ordinary Parquet: parquet-hadoop's own example reader (generic records, no
 * segspark code) reads the same tensors segspark wrote, and the footer carries the format version.
 */
class IndependentReaderTest {
    private final Configuration conf = new Configuration();

    @Test
    void parquetHadoopsGenericReaderSeesTheSameTensors(@TempDir java.nio.file.Path dir) throws Exception {
        Path file = new Path(dir.resolve("s.parquet").toUri());
        List<ShardRow> rows = new ArrayList<>(ShardFileTest.rows(21, 12, 10, 5));
        rows.add(ShardRow.segmentation("last", "l.jpg", "val", 12, 10, new byte[360], new byte[120]));
        try (ShardFileWriter w = new ShardFileWriter(file, conf, 4, ShardFileWriter.bytesPerRow(rows.get(0)),
                CompressionCodecName.ZSTD)) {
            for (ShardRow r : rows) {
                w.write(r);
            }
        }
        List<Group> groups = new ArrayList<>();
        try (ParquetReader<Group> reader = ParquetReader.builder(new GroupReadSupport(), file).withConf(conf).build()) {
            for (Group g = reader.read(); g != null; g = reader.read()) {
                groups.add(g);
            }
        }
        assertEquals(rows.size(), groups.size());
        for (int i = 0; i < rows.size(); i++) {
            ShardRow e = rows.get(i);
            Group g = groups.get(i);
            assertEquals(e.key(), g.getString("key", 0));
            assertEquals(e.source(), g.getString("source", 0));
            assertEquals(e.split(), g.getString("split", 0));
            assertEquals(e.height(), g.getInteger("height", 0));
            assertEquals(e.width(), g.getInteger("width", 0));
            assertEquals(3, g.getInteger("channels", 0));
            assertArrayEquals(e.image(), g.getBinary("image", 0).getBytes());
            assertArrayEquals(e.mask(), g.getBinary("mask", 0).getBytes());
            assertEquals(0, g.getFieldRepetitionCount("label"), "segmentation rows have no label");
        }
        ParquetMetadata footer;
        try (ParquetFileReader r = ParquetFileReader.open(HadoopInputFile.fromPath(file, conf))) {
            footer = r.getFooter();
        }
        assertEquals(String.valueOf(ShardFormat.VERSION),
                footer.getFileMetaData().getKeyValueMetaData().get("segspark.shard.format.version"));
        List<Long> blockRows = footer.getBlocks().stream().map(b -> b.getRowCount()).toList();
        try (ShardFileReader r = new ShardFileReader(file, conf)) {
            assertEquals(r.rowGroupRows(), blockRows, "the row groups segspark addresses are Parquet's");
        }
        assertEquals(List.of(4L, 4L, 4L, 4L, 4L, 2L), blockRows, "row-group-rows = 4, exactly");
        assertFalse(footer.getBlocks().get(0).getColumns().stream()
                .anyMatch(c -> c.getCodec() != CompressionCodecName.ZSTD), "zstd throughout");
    }
}
