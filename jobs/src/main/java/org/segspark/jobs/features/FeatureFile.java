package org.segspark.jobs.features;

import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.Path;
import org.apache.parquet.column.page.PageReadStore;
import org.apache.parquet.example.data.Group;
import org.apache.parquet.example.data.simple.SimpleGroupFactory;
import org.apache.parquet.example.data.simple.convert.GroupRecordConverter;
import org.apache.parquet.hadoop.ParquetFileReader;
import org.apache.parquet.hadoop.ParquetFileWriter;
import org.apache.parquet.hadoop.ParquetWriter;
import org.apache.parquet.hadoop.example.ExampleParquetWriter;
import org.apache.parquet.hadoop.metadata.CompressionCodecName;
import org.apache.parquet.hadoop.util.HadoopInputFile;
import org.apache.parquet.hadoop.util.HadoopOutputFile;
import org.apache.parquet.io.ColumnIOFactory;
import org.apache.parquet.io.api.Binary;
import org.apache.parquet.schema.LogicalTypeAnnotation;
import org.apache.parquet.schema.MessageType;
import org.apache.parquet.schema.PrimitiveType;
import org.apache.parquet.schema.Type;
import org.apache.parquet.schema.Types;
import org.segspark.core.shards.DamagedShardSetException;

import java.io.Closeable;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * One feature file: the encoder's outputs for the rows of one shard row group, as Parquet with one
 * Parquet row group per example and orientation (row {@code i}, mirrored {@code m} at index
 * {@code i * orientations + m}), so a loader reads exactly the examples it trains on. Columns:
 * {@code key}, {@code mirrored}, and {@code tensor_0..n-1}, each a float32 little-endian C-order
 * [channels, height, width] block (docs/SHARD_FORMAT.md).
 */
final class FeatureFile {
    static final String VERSION_KEY = "segspark.features.format.version";
    static final int VERSION = 1;

    private FeatureFile() {
    }

    static MessageType schema(int tensors) {
        Types.GroupBuilder<MessageType> b = Types.buildMessage()
                .required(PrimitiveType.PrimitiveTypeName.BINARY).as(LogicalTypeAnnotation.stringType())
                .named("key")
                .required(PrimitiveType.PrimitiveTypeName.BOOLEAN).named("mirrored");
        for (int t = 0; t < tensors; t++) {
            b = b.required(PrimitiveType.PrimitiveTypeName.BINARY).named("tensor_" + t);
        }
        return b.named("segspark_features_v1");
    }

    /** Writes one example-orientation per Parquet row group. */
    static final class Writer implements Closeable {
        private final ParquetWriter<Group> writer;
        private final SimpleGroupFactory groups;

        Writer(Path path, Configuration conf, int tensors, long bytesPerRow) throws IOException {
            MessageType schema = schema(tensors);
            groups = new SimpleGroupFactory(schema);
            // checked after every row; a group of 2.5 rows closes after each row (see ShardFileWriter)
            long rowGroupBytes = (long) Math.ceil(2.5 * bytesPerRow);
            writer = ExampleParquetWriter.builder(HadoopOutputFile.fromPath(path, conf))
                    .withConf(conf)
                    .withType(schema)
                    .withExtraMetaData(Map.of(VERSION_KEY, Integer.toString(VERSION)))
                    .withCompressionCodec(CompressionCodecName.UNCOMPRESSED)
                    .withWriteMode(ParquetFileWriter.Mode.OVERWRITE)
                    .withDictionaryEncoding(false)
                    .withRowGroupSize(rowGroupBytes)
                    .withPageSize((int) Math.min(Integer.MAX_VALUE - 1024, rowGroupBytes * 2 + 4096))
                    .withMinRowCountForPageSizeCheck(1)
                    .withMaxRowCountForPageSizeCheck(1)
                    .build();
        }

        void write(String key, boolean mirrored, List<float[]> tensors) throws IOException {
            Group g = groups.newGroup().append("key", key).append("mirrored", mirrored);
            for (int t = 0; t < tensors.size(); t++) {
                g.append("tensor_" + t, Binary.fromConstantByteArray(bytes(tensors.get(t))));
            }
            writer.write(g);
        }

        @Override
        public void close() throws IOException {
            writer.close();
        }
    }

    /** One stored example-orientation. */
    record Example(String key, boolean mirrored, List<float[]> tensors) {
    }

    /** Reads examples by their Parquet row group. */
    static final class Reader implements Closeable {
        private final ParquetFileReader reader;
        private final MessageType schema;
        private final Path path;

        Reader(Path path, Configuration conf) throws IOException {
            this.path = path;
            try {
                reader = ParquetFileReader.open(HadoopInputFile.fromPath(path, conf));
            } catch (IOException | RuntimeException e) {
                throw new DamagedShardSetException(path + ": not a readable feature file (" + e.getMessage() + ")", e);
            }
            String version = reader.getFooter().getFileMetaData().getKeyValueMetaData().get(VERSION_KEY);
            if (!Integer.toString(VERSION).equals(version)) {
                reader.close();
                throw new DamagedShardSetException(path + " is not a segspark feature file of version " + VERSION
                        + " (footer " + VERSION_KEY + " = " + version + ")");
            }
            schema = reader.getFooter().getFileMetaData().getSchema();
        }

        int examples() {
            return reader.getRowGroups().size();
        }

        Example read(int index) throws IOException {
            if (index < 0 || index >= examples()) {
                throw new IOException(path + " has " + examples() + " examples, no example " + index
                        + " (the shards changed since the cache was written?)");
            }
            PageReadStore pages = reader.readRowGroup(index);
            Group g = new ColumnIOFactory().getColumnIO(schema)
                    .getRecordReader(pages, new GroupRecordConverter(schema)).read();
            List<float[]> tensors = new ArrayList<>();
            for (Type f : schema.getFields()) {
                if (f.getName().startsWith("tensor_")) {
                    tensors.add(floats(g.getBinary(f.getName(), 0).getBytes()));
                }
            }
            return new Example(g.getString("key", 0), g.getBoolean("mirrored", 0), tensors);
        }

        @Override
        public void close() throws IOException {
            reader.close();
        }
    }

    static byte[] bytes(float[] v) {
        ByteBuffer b = ByteBuffer.allocate(v.length * 4).order(ByteOrder.LITTLE_ENDIAN);
        b.asFloatBuffer().put(v);
        return b.array();
    }

    static float[] floats(byte[] b) {
        float[] v = new float[b.length / 4];
        ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer().get(v);
        return v;
    }
}
