package org.segspark.core.shards;

import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.segspark.core.io.HadoopFiles;

import java.io.FileNotFoundException;
import java.io.IOException;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Every read of a shard file is checked against its set's manifest: the file's SHA-256 once per
 * file and JVM (a training task reads a file's row groups many times; the checksum is computed the
 * first time only), and each row's dimensions against the manifest's tensor. Hadoop's own
 * {@code .crc} side files do not survive a copy to an object store; the manifest does.
 */
public final class ShardChecks {
    /** Verified files: URI with length and modification time, so a replaced file is checked again. */
    private static final Map<String, Boolean> VERIFIED = new ConcurrentHashMap<>();
    private static final Map<String, ShardManifest> MANIFESTS = new ConcurrentHashMap<>();

    private ShardChecks() {
    }

    /** The manifest entry of a shard file, after checking the file against it (once per JVM). */
    public static ShardManifest verified(Path file, Configuration conf) throws IOException {
        FileSystem fs = HadoopFiles.fs(file, conf);
        Path data = file.getParent();
        Path root = data == null ? null : data.getParent();
        if (root == null || !ShardFormat.DATA_DIR.equals(data.getName())) {
            throw new DamagedShardSetException(file + " is not inside a shard set's " + ShardFormat.DATA_DIR + "/ folder");
        }
        FileStatus st;
        try {
            st = fs.getFileStatus(file);
        } catch (FileNotFoundException e) {
            throw new DamagedShardSetException(file + ": a shard file the manifest lists is missing; the set is "
                    + "incomplete (segspark shards verify --data " + root + ")");
        }
        Path m = new Path(root, ShardFormat.MANIFEST);
        FileStatus ms = fs.getFileStatus(m);
        String mkey = m.toUri() + "@" + ms.getLen() + ":" + ms.getModificationTime();
        ShardManifest manifest = MANIFESTS.get(mkey);
        if (manifest == null) {
            manifest = ShardManifest.fromJson(HadoopFiles.readAll(m, conf), m.toString());
            MANIFESTS.put(mkey, manifest);
        }
        String fkey = file.toUri() + "@" + st.getLen() + ":" + st.getModificationTime() + "@" + mkey;
        if (VERIFIED.containsKey(fkey)) {
            return manifest;
        }
        String relative = ShardFormat.DATA_DIR + "/" + file.getName();
        ShardManifest.ShardFileInfo info = manifest.splits().values().stream().flatMap(s -> s.shards().stream())
                .filter(f -> f.file().equals(relative)).findFirst().orElseThrow(() -> new DamagedShardSetException(
                        file + " is not listed in " + m + "; the set was changed after it was written"));
        check(file, info, st.getLen(), conf);
        VERIFIED.put(fkey, Boolean.TRUE);
        return manifest;
    }

    /** Compares a file with its manifest entry: size first, then the SHA-256 of every byte. */
    static void check(Path file, ShardManifest.ShardFileInfo info, long length, Configuration conf) throws IOException {
        if (length != info.bytes()) {
            throw new DamagedShardSetException(file + " has " + length + " bytes, the manifest says " + info.bytes()
                    + "; the file is damaged or was replaced (segspark shards verify)");
        }
        String actual;
        try {
            actual = HadoopFiles.sha256(file, conf);
        } catch (FileNotFoundException e) {
            throw e;
        } catch (IOException e) {
            // Hadoop's own .crc side file disagreeing with the data is damage too
            throw new DamagedShardSetException(file + " cannot be read whole (" + e.getMessage()
                    + "); the file is damaged (segspark shards verify)", e);
        }
        if (!actual.equals(info.sha256())) {
            throw new DamagedShardSetException(file + ": SHA-256 " + actual + " differs from the manifest's "
                    + info.sha256() + "; the file is damaged (segspark shards verify)");
        }
    }

    /** Refuses a row whose dimensions are not the manifest's tensor. */
    public static void checkRow(Path file, ShardRow row, ShardManifest manifest) throws DamagedShardSetException {
        ShardManifest.Tensor t = manifest.tensor();
        if (row.height() != t.height() || row.width() != t.width() || row.channels() != t.channels()) {
            throw new DamagedShardSetException(file + ": row " + row.key() + " is " + row.height() + "x" + row.width()
                    + "x" + row.channels() + " but the manifest's tensor is " + t.height() + "x" + t.width() + "x"
                    + t.channels());
        }
    }
}
