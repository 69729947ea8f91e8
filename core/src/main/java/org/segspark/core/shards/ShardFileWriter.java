package org.segspark.core.shards;

import java.nio.charset.StandardCharsets;

import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.Path;
import org.apache.parquet.example.data.Group;
import org.apache.parquet.example.data.simple.SimpleGroupFactory;
import org.apache.parquet.hadoop.ParquetFileWriter;
import org.apache.parquet.hadoop.ParquetWriter;
import org.apache.parquet.hadoop.example.ExampleParquetWriter;
import org.apache.parquet.hadoop.metadata.CompressionCodecName;
import org.apache.parquet.hadoop.util.HadoopOutputFile;
import org.apache.parquet.io.api.Binary;

import java.io.Closeable;
import java.io.IOException;
import java.util.Map;

/**
 * Writes one shard file. Row groups hold a fixed number of rows ({@code rowGroupRows}): a row
 * group is the unit a training task loads, so its size decides the loader's granularity. To get
 * exact counts the whole row group is one page (buffered uncompressed, so its size is known
 * exactly) and the size check runs after every row.
 */
public final class ShardFileWriter implements Closeable {
    private final ParquetWriter<Group> writer;
    private final SimpleGroupFactory groups = new SimpleGroupFactory(ShardFormat.SCHEMA);
    private final Path path;
    private long rows;

    public ShardFileWriter(Path path, Configuration conf, int rowGroupRows, long bytesPerRow,
                           CompressionCodecName codec) throws IOException {
        if (rowGroupRows < 1) {
            throw new IllegalArgumentException("rowGroupRows must be >= 1, got " + rowGroupRows);
        }
        this.path = path;
        // Parquet checks after every row (min = max row count for the check = 1) and flushes once the
        // buffered bytes exceed size - 2 * (mean row bytes): with size = (N + 1.5) rows that is right
        // after row N, for any error in the row estimate below 0.5 / (N + 1) of a row.
        long rowGroupBytes = (long) Math.ceil((rowGroupRows + 1.5) * bytesPerRow);
        int pageBytes = (int) Math.min(Integer.MAX_VALUE - 1024, rowGroupBytes * 2 + 4096);
        this.writer = ExampleParquetWriter.builder(HadoopOutputFile.fromPath(path, conf))
                .withConf(conf)
                .withType(ShardFormat.SCHEMA)
                .withExtraMetaData(Map.of(ShardFormat.FOOTER_VERSION_KEY, Integer.toString(ShardFormat.VERSION)))
                .withCompressionCodec(codec)
                .withWriteMode(ParquetFileWriter.Mode.OVERWRITE)
                .withDictionaryEncoding(false)
                .withRowGroupSize(rowGroupBytes)
                .withPageSize(pageBytes)
                .withMinRowCountForPageSizeCheck(1)
                .withMaxRowCountForPageSizeCheck(1)
                .build();
    }

    /**
     * Bytes a row like {@code row} occupies in the writer's buffers (plain encoding: a 4-byte length
     * before each binary value, 4 bytes per int), for row group sizing; rows of a file differ only
     * in the lengths of their key and source.
     */
    public static long bytesPerRow(ShardRow row) {
        long b = 4L * 3 + (4 + utf8(row.key())) + (4 + utf8(row.source())) + (4 + utf8(row.split()))
                + 4 + row.image().length;
        if (row.mask() != null) {
            b += 4 + row.mask().length;
        }
        if (row.label() != ShardRow.NO_LABEL) {
            b += 4;
        }
        return b;
    }

    private static int utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8).length;
    }

    public void write(ShardRow row) throws IOException {
        Group g = groups.newGroup()
                .append(ShardFormat.KEY, row.key())
                .append(ShardFormat.SOURCE, row.source())
                .append(ShardFormat.SPLIT, row.split())
                .append(ShardFormat.HEIGHT, row.height())
                .append(ShardFormat.WIDTH, row.width())
                .append(ShardFormat.CHANNELS, row.channels())
                .append(ShardFormat.IMAGE, Binary.fromConstantByteArray(row.image()));
        if (row.mask() != null) {
            g.append(ShardFormat.MASK, Binary.fromConstantByteArray(row.mask()));
        }
        if (row.label() != ShardRow.NO_LABEL) {
            g.append(ShardFormat.LABEL, row.label());
        }
        writer.write(g);
        rows++;
    }

    public long rows() {
        return rows;
    }

    public Path path() {
        return path;
    }

    @Override
    public void close() throws IOException {
        writer.close();
    }
}
