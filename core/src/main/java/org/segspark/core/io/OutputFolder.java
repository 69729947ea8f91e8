package org.segspark.core.io;

import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.segspark.core.config.Setting;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;

/**
 * The folder a command writes to. A command only writes into a folder that does not exist, is
 * empty, or already holds its own kind of output (its marker file, or the files an earlier release
 * of the same command left); anything else is refused unless the user forces it. Even then
 * segspark deletes only files it can prove it wrote, so a mistyped {@code --out} can never cost a
 * user their data.
 */
public final class OutputFolder {
    /** The setting of every job that claims an output folder (given on the command line as --force). */
    public static final Setting<Boolean> FORCE = Setting.flag("force",
            "Write into out even when it is a non-empty folder holding something else (--force); segspark still "
                    + "deletes nothing it did not write there.");

    /** The marker naming what kind of segspark output a folder holds. */
    public static final String MARKER = ".segspark";

    /**
     * A kind of output and the files by which an older folder of that kind is recognised.
     *
     * @param name       what the marker says, e.g. {@code shards} or {@code run}
     * @param recognised files that only this kind of output writes at its top level
     */
    public record Kind(String name, List<String> recognised) {
        public Kind(String name, String... recognised) {
            this(name, Arrays.asList(recognised));
        }
    }

    private OutputFolder() {
    }

    /**
     * Makes {@code out} ready for {@code kind}: creates it, or checks that it is this kind's own
     * output, then writes the marker. Refuses a regular file always, and a non-empty folder that
     * holds something else unless {@code force}.
     *
     * @param option the command-line option that named the folder, for the message
     */
    public static void claim(String out, Configuration conf, Kind kind, boolean force, String option)
            throws IOException {
        Path root = HadoopFiles.path(out);
        FileSystem fs = HadoopFiles.fs(root, conf);
        if (fs.exists(root)) {
            FileStatus st = fs.getFileStatus(root);
            if (!st.isDirectory()) {
                throw new IllegalArgumentException(option + " " + out + " is a file, not a folder");
            }
            String found = kindOf(fs, root, kind);
            if (found == null && !force && fs.listStatus(root).length > 0) {
                throw new IllegalArgumentException(option + " " + out + " is not empty and holds no segspark "
                        + kind.name() + " output; choose another folder, or add --force to write into it "
                        + "(segspark never deletes files it did not write)");
            }
            if (found != null && !found.equals(kind.name()) && !force) {
                throw new IllegalArgumentException(option + " " + out + " holds segspark " + found + " output, not "
                        + kind.name() + "; choose another folder, or add --force");
            }
        }
        fs.mkdirs(root);
        Path marker = new Path(root, MARKER);
        if (!fs.exists(marker)) {
            HadoopFiles.writeAtomically(marker, conf, (kind.name() + "\n").getBytes(StandardCharsets.UTF_8));
        }
    }

    /** The kind the folder's marker names, this kind when its recognised files are there, else null. */
    static String kindOf(FileSystem fs, Path root, Kind kind) throws IOException {
        Path marker = new Path(root, MARKER);
        if (fs.exists(marker) && fs.getFileStatus(marker).isFile()) {
            byte[] b = HadoopFiles.readAll(marker, fs.getConf());
            return new String(b, StandardCharsets.UTF_8).trim();
        }
        for (String f : kind.recognised()) {
            if (fs.exists(new Path(root, f))) {
                return kind.name();
            }
        }
        return null;
    }
}
