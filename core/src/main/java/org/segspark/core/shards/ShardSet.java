package org.segspark.core.shards;

import java.io.Serializable;
import java.net.URI;

import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.Path;
import org.segspark.core.io.HadoopFiles;

import java.io.FileNotFoundException;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/** A committed shard set on any Hadoop file system: its manifest and the files it lists. */
public final class ShardSet {
    private final Path root;
    private final ShardManifest manifest;

    private ShardSet(Path root, ShardManifest manifest) {
        this.root = root;
        this.manifest = manifest;
    }

    public static ShardSet open(String location, Configuration conf) throws IOException {
        Path root = HadoopFiles.path(location);
        Path m = new Path(root, ShardFormat.MANIFEST);
        if (!HadoopFiles.fs(m, conf).exists(m)) {
            throw new FileNotFoundException(location + " is not a shard set: it has no " + ShardFormat.MANIFEST
                    + " (was preprocessing interrupted before it committed?)");
        }
        if (!HadoopFiles.fs(m, conf).getFileStatus(m).isFile()) {
            throw new DamagedShardSetException(m + " is not a file");
        }
        return new ShardSet(root, ShardManifest.fromJson(HadoopFiles.readAll(m, conf), m.toString()));
    }

    public Path root() {
        return root;
    }

    public ShardManifest manifest() {
        return manifest;
    }

    public List<Path> files(String split) {
        List<Path> files = new ArrayList<>();
        for (ShardManifest.ShardFileInfo f : manifest.split(split).shards()) {
            files.add(new Path(root, f.file()));
        }
        return files;
    }

    /** A row group of a shard file: the file's URI, its index in the file and its row count. */
    public record RowGroup(String file, int index, long rows) implements Serializable {
        public String ref() {
            return file + "#" + index;
        }
    }

    /** The row groups of a split, in manifest order, listed from the manifest alone. */
    public List<RowGroup> rowGroups(String split) {
        List<RowGroup> groups = new ArrayList<>();
        for (ShardManifest.ShardFileInfo f : manifest.split(split).shards()) {
            String uri = new Path(root, f.file()).toUri().toString();
            for (int i = 0; i < f.rowGroups().size(); i++) {
                groups.add(new RowGroup(uri, i, f.rowGroups().get(i)));
            }
        }
        return groups;
    }

    /**
     * One reference per row group of a split: {@code <file uri>#<row group index>}. These are the
     * units that training and evaluation tasks load; only the manifest is read to list them.
     */
    public List<String> rowGroupRefs(String split) {
        return rowGroups(split).stream().map(RowGroup::ref).toList();
    }

    /** Reads the rows of a {@link #rowGroupRefs} reference. */
    public static List<ShardRow> readRowGroup(String ref, Configuration conf) throws IOException {
        Path file = fileOf(ref);
        int index = Integer.parseInt(ref.substring(ref.lastIndexOf('#') + 1));
        ShardManifest manifest = ShardChecks.verified(file, conf);
        try (ShardFileReader r = new ShardFileReader(file, conf)) {
            List<ShardRow> rows = r.readRowGroup(index);
            for (ShardRow row : rows) {
                ShardChecks.checkRow(file, row, manifest);
            }
            return rows;
        }
    }

    /** The shard file a row-group reference ({@code <file uri>#<index>}) names. */
    static Path fileOf(String ref) {
        int hash = ref.lastIndexOf('#');
        if (hash < 0) {
            throw new IllegalArgumentException("not a row group reference (file#index): " + ref);
        }
        return new Path(URI.create(ref.substring(0, hash)));
    }

    /** Recomputes every listed file's checksum; throws naming the first file that differs. */
    public void verify(Configuration conf) throws IOException {
        List<String> problems = problems(conf);
        if (!problems.isEmpty()) {
            throw new DamagedShardSetException(problems.get(0));
        }
    }

    /**
     * Every listed file against its manifest entry (present, size, SHA-256, rows per row group
     * from the file's own footer): one line per damaged or missing file, empty when the set is whole.
     */
    public List<String> problems(Configuration conf) throws IOException {
        List<String> problems = new ArrayList<>();
        for (var e : manifest.splits().entrySet()) {
            for (ShardManifest.ShardFileInfo f : e.getValue().shards()) {
                Path p = new Path(root, f.file());
                try {
                    ShardChecks.check(p, f, HadoopFiles.fs(p, conf).getFileStatus(p).getLen(), conf);
                    try (ShardFileReader r = new ShardFileReader(p, conf)) {
                        if (!r.rowGroupRows().equals(f.rowGroups())) {
                            problems.add(p + ": row groups of " + r.rowGroupRows() + " rows, the manifest says " + f.rowGroups());
                        }
                    }
                } catch (FileNotFoundException x) {
                    problems.add(p + ": listed in the manifest but missing");
                } catch (IOException | RuntimeException x) {
                    problems.add(x.getMessage());
                }
            }
        }
        return problems;
    }
}
