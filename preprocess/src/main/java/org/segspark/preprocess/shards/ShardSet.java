package org.segspark.preprocess.shards;

import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.Path;
import org.segspark.preprocess.io.HadoopFiles;

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
    public record RowGroup(String file, int index, long rows) implements java.io.Serializable {
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
        int hash = ref.lastIndexOf('#');
        if (hash < 0) {
            throw new IllegalArgumentException("not a row group reference (file#index): " + ref);
        }
        Path file = new Path(java.net.URI.create(ref.substring(0, hash)));
        int index = Integer.parseInt(ref.substring(hash + 1));
        try (ShardFileReader r = new ShardFileReader(file, conf)) {
            return r.readRowGroup(index);
        }
    }

    /** Recomputes every listed file's checksum; throws naming the first file that differs. */
    public void verify(Configuration conf) throws IOException {
        for (var e : manifest.splits().entrySet()) {
            for (ShardManifest.ShardFileInfo f : e.getValue().shards()) {
                Path p = new Path(root, f.file());
                String actual = HadoopFiles.sha256(p, conf);
                if (!actual.equals(f.sha256())) {
                    throw new IOException(p + ": checksum " + actual + " differs from the manifest's " + f.sha256());
                }
            }
        }
    }
}
