package org.segspark.core.shards;

import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.Path;
import org.apache.parquet.column.page.PageReadStore;
import org.apache.parquet.example.data.Group;
import org.apache.parquet.example.data.simple.convert.GroupRecordConverter;
import org.apache.parquet.hadoop.ParquetFileReader;
import org.apache.parquet.hadoop.metadata.BlockMetaData;
import org.apache.parquet.hadoop.metadata.ParquetMetadata;
import org.apache.parquet.hadoop.util.HadoopInputFile;
import org.apache.parquet.io.ColumnIOFactory;
import org.apache.parquet.io.MessageColumnIO;
import org.apache.parquet.io.RecordReader;
import org.apache.parquet.schema.MessageType;

import java.io.Closeable;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/** Reads shard files whole or one row group at a time, refusing files of an unknown format version. */
public final class ShardFileReader implements Closeable {
    private final ParquetFileReader reader;
    private final MessageType schema;
    private final Path path;

    public ShardFileReader(Path path, Configuration conf) throws IOException {
        this.path = path;
        try {
            this.reader = ParquetFileReader.open(HadoopInputFile.fromPath(path, conf));
        } catch (IOException | RuntimeException e) {
            throw new DamagedShardSetException(path + ": not a readable Parquet file (" + rootMessage(e) + ")", e);
        }
        ParquetMetadata footer = reader.getFooter();
        String version = footer.getFileMetaData().getKeyValueMetaData().get(ShardFormat.FOOTER_VERSION_KEY);
        if (version == null) {
            reader.close();
            throw new UnsupportedShardFormatException(path + " is a Parquet file but not a segspark shard (no "
                    + ShardFormat.FOOTER_VERSION_KEY + " in its footer)");
        }
        try {
            ShardFormat.requireKnownVersion(Integer.parseInt(version), path.toString());
        } catch (RuntimeException e) {
            reader.close();
            if (e instanceof UnsupportedShardFormatException u) {
                throw u;
            }
            throw new UnsupportedShardFormatException(path + " has a malformed format version \"" + version + "\"");
        }
        this.schema = footer.getFileMetaData().getSchema();
    }

    public int rowGroupCount() {
        return reader.getRowGroups().size();
    }

    /** Rows in each row group, in file order. */
    public List<Long> rowGroupRows() {
        List<Long> rows = new ArrayList<>();
        for (BlockMetaData b : reader.getRowGroups()) {
            rows.add(b.getRowCount());
        }
        return rows;
    }

    public long rowCount() {
        return reader.getRecordCount();
    }

    public List<ShardRow> readRowGroup(int index) throws IOException {
        if (index < 0 || index >= rowGroupCount()) {
            throw new IOException(path + " has " + rowGroupCount() + " row groups, no row group " + index);
        }
        try {
            PageReadStore pages = reader.readRowGroup(index);
            return toRows(pages);
        } catch (IOException | RuntimeException e) {
            // Parquet's decoding errors name no file; a checksum mismatch is caught earlier by ShardChecks
            throw new DamagedShardSetException(path + ": row group " + index + " cannot be decoded ("
                    + rootMessage(e) + ")", e);
        }
    }

    private static String rootMessage(Throwable e) {
        Throwable t = e;
        while (t.getCause() != null && t.getCause() != t) {
            t = t.getCause();
        }
        return t.getClass().getSimpleName() + (t.getMessage() == null ? "" : ": " + t.getMessage());
    }

    public List<ShardRow> readAll() throws IOException {
        List<ShardRow> rows = new ArrayList<>();
        for (int i = 0; i < rowGroupCount(); i++) {
            rows.addAll(readRowGroup(i));
        }
        return rows;
    }

    private List<ShardRow> toRows(PageReadStore pages) {
        MessageColumnIO io = new ColumnIOFactory().getColumnIO(schema);
        RecordReader<Group> records = io.getRecordReader(pages, new GroupRecordConverter(schema));
        int n = (int) pages.getRowCount();
        List<ShardRow> rows = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            rows.add(toRow(records.read()));
        }
        return rows;
    }

    private static ShardRow toRow(Group g) {
        byte[] mask = g.getFieldRepetitionCount(ShardFormat.MASK) > 0
                ? g.getBinary(ShardFormat.MASK, 0).getBytes() : null;
        int label = g.getFieldRepetitionCount(ShardFormat.LABEL) > 0
                ? g.getInteger(ShardFormat.LABEL, 0) : ShardRow.NO_LABEL;
        return new ShardRow(g.getString(ShardFormat.KEY, 0), g.getString(ShardFormat.SOURCE, 0),
                g.getString(ShardFormat.SPLIT, 0), g.getInteger(ShardFormat.HEIGHT, 0),
                g.getInteger(ShardFormat.WIDTH, 0), g.getInteger(ShardFormat.CHANNELS, 0),
                g.getBinary(ShardFormat.IMAGE, 0).getBytes(), mask, label);
    }

    @Override
    public void close() throws IOException {
        reader.close();
    }
}
