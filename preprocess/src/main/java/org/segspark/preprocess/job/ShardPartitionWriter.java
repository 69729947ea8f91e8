package org.segspark.preprocess.job;

import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.segspark.core.io.HadoopFiles;
import org.segspark.preprocess.io.Reject;
import org.segspark.core.shards.ShardFileReader;
import org.segspark.core.shards.ShardFileWriter;
import org.segspark.core.shards.ShardFormat;
import org.segspark.core.shards.ShardManifest;
import org.segspark.core.shards.ShardRow;

import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Writes one task's outcomes into one shard file per split. Files are written under a temporary
 * name of this attempt and moved to their final name only when complete; the manifest (written
 * later by the driver) is what makes them part of the shard set.
 */
final class ShardPartitionWriter {
    private final ShardJobOptions options;
    private final Configuration conf;
    private final String runId;
    private final int partition;
    private final int attempt;
    private final int numClasses;
    private final int channels;
    private final boolean masks;
    private final Map<String, ShardFileWriter> writers = new LinkedHashMap<>();
    private final Map<String, SplitStats> stats = new LinkedHashMap<>();
    private final List<Reject> rejects = new ArrayList<>();
    private final List<InputFingerprint.Keyed> items = new ArrayList<>();
    private long inputs;

    ShardPartitionWriter(ShardJobOptions options, Configuration conf, String runId, int partition, int attempt,
                         int numClasses, int channels, boolean masks) {
        this.options = options;
        this.conf = conf;
        this.runId = runId;
        this.partition = partition;
        this.attempt = attempt;
        this.numClasses = numClasses;
        this.channels = channels;
        this.masks = masks;
    }

    /** Writes the outcomes of one item and records its key and fingerprint in the task's input index. */
    void item(InputFingerprint.Keyed keyed, List<Outcome> outcomes) throws IOException {
        items.add(keyed);
        for (Outcome o : outcomes) {
            accept(o);
        }
    }

    private void accept(Outcome o) throws IOException {
        inputs++;
        if (o.reject() != null) {
            rejects.add(o.reject());
            return;
        }
        ShardRow row = o.row();
        if (row.channels() != channels) {
            // the maker and the job's spec disagree: a bug, not bad input
            throw new IllegalStateException(row.key() + " has " + row.channels() + " channels, the shard set "
                    + channels);
        }
        ShardFileWriter w = writers.get(row.split());
        if (w == null) {
            Path tmp = new Path(HadoopFiles.path(options.out()), ShardFormat.DATA_DIR + "/_tmp/" + runId + "/"
                    + row.split() + "-" + partition + "-" + attempt + ".parquet");
            w = new ShardFileWriter(tmp, conf, options.rowGroupRows(),
                    ShardFileWriter.bytesPerRow(row), options.codec());
            writers.put(row.split(), w);
            stats.put(row.split(), new SplitStats(numClasses, channels));
        }
        w.write(row);
        stats.get(row.split()).add(row.image(), row.width(), o.contentRegion(), row.mask(), row.label());
    }

    PartitionResult finish() throws IOException {
        Map<String, List<ShardManifest.ShardFileInfo>> files = new LinkedHashMap<>();
        Map<String, String> fileNames = new LinkedHashMap<>();
        for (Map.Entry<String, ShardFileWriter> e : writers.entrySet()) {
            ShardFileWriter w = e.getValue();
            w.close();
            String relative = ShardFormat.DATA_DIR + "/" + e.getKey() + "-" + runId + "-"
                    + String.format("%05d", partition) + ".parquet";
            Path target = new Path(HadoopFiles.path(options.out()), relative);
            FileSystem fs = HadoopFiles.fs(target, conf);
            HadoopFiles.commit(fs, w.path(), target);
            List<Long> rowGroups;
            try (ShardFileReader r = new ShardFileReader(target, conf)) {
                rowGroups = r.rowGroupRows();
            }
            files.put(e.getKey(), List.of(new ShardManifest.ShardFileInfo(relative, w.rows(), rowGroups,
                    fs.getFileStatus(target).getLen(), HadoopFiles.sha256(target, conf))));
            fileNames.put(e.getKey(), relative);
        }
        Map<String, SplitStats.Sums> sums = new LinkedHashMap<>();
        stats.forEach((split, st) -> sums.put(split, st.sums()));
        String index = indexFile(runId, partition);
        new PartIndex(runId, partition, fileNames, sums, items, rejects)
                .write(new Path(HadoopFiles.path(options.out()), index), conf);
        return new PartitionResult(inputs, files, stats, rejects, index);
    }

    static String indexFile(String runId, int partition) {
        return ShardFormat.DATA_DIR + "/inputs-" + runId + "-" + String.format("%05d", partition) + ".json";
    }

    /** Removes half-written files of a failed attempt. */
    void abandon() {
        for (ShardFileWriter w : writers.values()) {
            try {
                w.close();
                HadoopFiles.fs(w.path(), conf).delete(w.path(), false);
            } catch (IOException | RuntimeException ignored) {
                // the attempt is failing already; a leftover temp file is ignored by readers
            }
        }
    }
}
