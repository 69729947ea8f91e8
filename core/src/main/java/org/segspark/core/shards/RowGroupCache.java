package org.segspark.core.shards;

import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.Path;
import org.segspark.core.io.HadoopFiles;

import java.io.FileNotFoundException;
import java.io.IOException;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Decoded row groups kept in this JVM between reads, least recently used out first, within a byte
 * budget. Training reads every row group once per epoch, and opening a Parquet file, parsing its
 * footer and decoding 64 rows of Fashion-MNIST took 7-16 ms a minibatch alone and 22-36 ms beside
 * training, on the cores that train; a hit costs a file-status call. An entry is keyed by the
 * file's length and modification time as well as the reference, so a rewritten file is read again.
 * <p>
 * One cache serves the JVM (a Spark executor runs its tasks' loaders in one JVM); its budget is
 * the largest any caller asked for, capped at a quarter of the heap, so a large budget never
 * crowds out training.
 */
public final class RowGroupCache {
    /** The share of the heap the cache may hold at most. */
    static final double HEAP_SHARE = 0.25;

    private static final RowGroupCache JVM = new RowGroupCache(Runtime.getRuntime().maxMemory());

    private final long heap;
    private final Map<String, Entry> entries = new LinkedHashMap<>(256, 0.75f, true);
    private long budget;
    private long bytes;
    private long hits;
    private long misses;

    private record Entry(List<ShardRow> rows, long bytes) {
    }

    /** What the cache holds and did, since the JVM started. */
    public record Stats(long entries, long bytes, long budget, long hits, long misses) {
    }

    RowGroupCache(long heap) {
        this.heap = heap;
    }

    /** This JVM's cache. */
    public static RowGroupCache shared() {
        return JVM;
    }

    /**
     * The rows of row group {@code ref} ({@code <file uri>#<index>}), from memory when kept,
     * otherwise read and checked by {@link ShardSet#readRowGroup} and kept if {@code budgetBytes}
     * allows. The rows are shared: callers must not change their arrays.
     */
    public List<ShardRow> rows(String ref, Configuration conf, long budgetBytes) throws IOException {
        if (budgetBytes <= 0) {
            return ShardSet.readRowGroup(ref, conf);
        }
        String key;
        try {
            key = key(ref, conf);
        } catch (FileNotFoundException e) {
            return ShardSet.readRowGroup(ref, conf);      // its error names the shard set to verify
        }
        synchronized (this) {
            budget = Math.max(budget, Math.min(budgetBytes, (long) (heap * HEAP_SHARE)));
            Entry e = entries.get(key);
            if (e != null) {
                hits++;
                return e.rows();
            }
            misses++;
        }
        List<ShardRow> rows = List.copyOf(ShardSet.readRowGroup(ref, conf));
        long size = size(rows);
        synchronized (this) {
            if (size <= budget && !entries.containsKey(key)) {
                entries.put(key, new Entry(rows, size));
                bytes += size;
                Iterator<Entry> oldest = entries.values().iterator();
                while (bytes > budget && oldest.hasNext()) {
                    bytes -= oldest.next().bytes();
                    oldest.remove();
                }
            }
        }
        return rows;
    }

    public synchronized Stats stats() {
        return new Stats(entries.size(), bytes, budget, hits, misses);
    }

    private static String key(String ref, Configuration conf) throws IOException {
        Path file = ShardSet.fileOf(ref);
        FileStatus st = HadoopFiles.fs(file, conf).getFileStatus(file);
        return ref + "@" + st.getLen() + ":" + st.getModificationTime();
    }

    /** Heap bytes of the rows: their arrays and strings, and about 100 bytes of object headers each. */
    static long size(List<ShardRow> rows) {
        long n = 0;
        for (ShardRow r : rows) {
            n += 100 + r.image().length + (r.mask() == null ? 0 : r.mask().length)
                    + 2L * (length(r.key()) + length(r.source()) + length(r.split()));
        }
        return n;
    }

    private static int length(String s) {
        return s == null ? 0 : s.length();
    }
}
