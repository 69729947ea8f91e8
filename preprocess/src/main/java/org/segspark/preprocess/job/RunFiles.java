package org.segspark.preprocess.job;

import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.segspark.core.shards.ShardFormat;
import org.segspark.core.shards.ShardManifest;

import java.io.IOException;
import java.util.HashSet;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The files a shard job's runs write under {@code data/}, and the only ones it ever deletes. A run
 * registers itself ({@code data/_runs/<run id>}) before it writes anything; after a commit, files
 * that carry the name pattern of a registered run or of a run the previous manifest lists, and
 * that the new manifest does not list, are that run's leftovers. Every other file is left alone,
 * whoever put it there.
 */
final class RunFiles {
    static final String RUNS_DIR = "_runs";
    static final String TMP_DIR = "_tmp";
    private static final String RUN_ID = "(\\d{8}T\\d{6}Z-[0-9a-f]{8})";
    private static final Pattern SHARD = Pattern.compile("[a-z]+-" + RUN_ID + "-\\d{5}\\.parquet");
    private static final Pattern INDEX = Pattern.compile("inputs-" + RUN_ID + "-\\d{5}\\.json");

    private RunFiles() {
    }

    /** The run that wrote a file of {@code data/}, by its name, or null when no run of ours names files so. */
    static String runOf(String name) {
        for (Pattern p : new Pattern[] {SHARD, INDEX}) {
            Matcher m = p.matcher(name);
            if (m.matches()) {
                return m.group(1);
            }
        }
        return null;
    }

    static void register(FileSystem fs, Path root, String runId) throws IOException {
        Path marker = new Path(root, ShardFormat.DATA_DIR + "/" + RUNS_DIR + "/" + runId);
        fs.mkdirs(marker.getParent());
        fs.create(marker, true).close();
    }

    /** Runs whose files this set may hold: the registered ones and those the manifest lists files of. */
    static Set<String> known(FileSystem fs, Path root, ShardManifest manifest) throws IOException {
        Set<String> runs = new HashSet<>();
        Path dir = new Path(root, ShardFormat.DATA_DIR + "/" + RUNS_DIR);
        if (fs.exists(dir)) {
            for (FileStatus st : fs.listStatus(dir)) {
                runs.add(st.getPath().getName());
            }
        }
        if (manifest != null) {
            manifest.splits().values().forEach(sp -> sp.shards().forEach(f -> add(runs, f.file())));
            if (manifest.inputs() != null) {
                manifest.inputs().index().forEach(f -> add(runs, f));
            }
        }
        return runs;
    }

    private static void add(Set<String> runs, String relative) {
        String run = runOf(relative.substring(relative.lastIndexOf('/') + 1));
        if (run != null) {
            runs.add(run);
        }
    }

    /**
     * Once {@code committed} is in place: deletes the files of {@code runs} it does not list, their
     * temporary folders, and their registrations.
     */
    static void removeUnlisted(FileSystem fs, Path root, ShardManifest committed, Set<String> runs) throws IOException {
        Set<String> listed = new HashSet<>();
        if (committed != null) {
            committed.splits().values().forEach(sp -> sp.shards().forEach(f -> listed.add(f.file())));
            if (committed.inputs() != null) {
                listed.addAll(committed.inputs().index());
            }
        }
        Path data = new Path(root, ShardFormat.DATA_DIR);
        if (!fs.exists(data)) {
            return;
        }
        for (FileStatus st : fs.listStatus(data)) {
            String name = st.getPath().getName();
            String run = runOf(name);
            if (st.isFile() && run != null && runs.contains(run) && !listed.contains(ShardFormat.DATA_DIR + "/" + name)) {
                fs.delete(st.getPath(), false);
            }
        }
        Path tmp = new Path(data, TMP_DIR);
        Path registered = new Path(data, RUNS_DIR);
        for (String run : runs) {
            Path t = new Path(tmp, run);
            if (fs.exists(t)) {
                fs.delete(t, true);
            }
            Path marker = new Path(registered, run);
            if (fs.exists(marker)) {
                fs.delete(marker, false);
            }
        }
        deleteIfEmpty(fs, tmp);
        deleteIfEmpty(fs, registered);
    }

    private static void deleteIfEmpty(FileSystem fs, Path dir) throws IOException {
        if (fs.exists(dir) && fs.getFileStatus(dir).isDirectory() && fs.listStatus(dir).length == 0) {
            fs.delete(dir, false);
        }
    }
}
