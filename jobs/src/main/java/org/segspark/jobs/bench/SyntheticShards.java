package org.segspark.jobs.bench;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.Path;
import org.apache.parquet.hadoop.metadata.CompressionCodecName;
import org.segspark.core.BuildInfo;
import org.segspark.core.io.HadoopFiles;
import org.segspark.core.shards.ShardFileReader;
import org.segspark.core.shards.ShardFileWriter;
import org.segspark.core.shards.ShardFormat;
import org.segspark.core.shards.ShardManifest;
import org.segspark.core.shards.ShardRow;

import java.io.IOException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

/** A shard set of random segmentation rows, for measuring training speed without preprocessing first. */
public final class SyntheticShards {
    private SyntheticShards() {
    }

    public static void write(String root, int rows, int size, int classes, int rowGroupRows, long seed,
                             Configuration conf) throws IOException {
        Random r = new Random(seed);
        String file = ShardFormat.DATA_DIR + "/train-bench-00000.parquet";
        Path path = new Path(HadoopFiles.path(root), file);
        try (ShardFileWriter w = new ShardFileWriter(path, conf, rowGroupRows,
                ShardFileWriter.bytesPerRow(ShardRow.segmentation("bench-" + rows, "random", "train", size, size,
                        new byte[size * size * 3], new byte[size * size])), CompressionCodecName.ZSTD)) {
            for (int i = 0; i < rows; i++) {
                byte[] img = new byte[size * size * 3];
                byte[] mask = new byte[size * size];
                r.nextBytes(img);
                for (int p = 0; p < mask.length; p++) {
                    mask[p] = (byte) r.nextInt(classes);
                }
                w.write(ShardRow.segmentation("bench-" + i, "random", "train", size, size, img, mask));
            }
        }
        List<Long> groups;
        try (ShardFileReader rd = new ShardFileReader(path, conf)) {
            groups = rd.rowGroupRows();
        }
        List<String> names = new ArrayList<>();
        for (int c = 0; c < classes; c++) {
            names.add("class" + c);
        }
        Map<String, ShardManifest.SplitInfo> splits = new LinkedHashMap<>();
        splits.put("train", new ShardManifest.SplitInfo(rows, new long[classes], 0L, null,
                List.of(new ShardManifest.ShardFileInfo(file, rows, groups,
                        HadoopFiles.fs(path, conf).getFileStatus(path).getLen(), HadoopFiles.sha256(path, conf)))));
        splits.put("val", new ShardManifest.SplitInfo(0, new long[classes], 0L, null, List.of()));
        ShardManifest m = new ShardManifest(ShardFormat.NAME, ShardFormat.VERSION, ShardManifest.SEGMENTATION,
                Instant.now().toString(), BuildInfo.asMap(), Map.of("kind", "random"), JsonNodeFactory.instance.objectNode(),
                new ShardManifest.Tensor(size, size, 3, "HWC", "uint8", "HW", ShardFormat.IGNORE_LABEL), names,
                new ShardManifest.Normalization(new double[] {127.5, 127.5, 127.5}, new double[] {73.9, 73.9, 73.9}, "train"),
                splits, new ShardManifest.AccountingInfo(rows, rows, 0, null), null);
        HadoopFiles.writeAtomically(new Path(HadoopFiles.path(root), ShardFormat.MANIFEST), conf, m.toJson());
    }
}
