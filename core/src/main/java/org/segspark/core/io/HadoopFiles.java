package org.segspark.core.io;

import java.io.File;
import java.io.FileNotFoundException;
import java.nio.file.Files;
import java.nio.file.Paths;
import org.apache.hadoop.fs.ChecksumException;

import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FSDataOutputStream;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.UUID;

/**
 * All file I/O goes through Hadoop's FileSystem so that {@code file://}, {@code hdfs://} and
 * {@code s3a://} paths work alike. A bare path means the local file system.
 */
public final class HadoopFiles {
    private HadoopFiles() {
    }

    /** A path with no scheme is local: a user's "out/shards" must not land on the cluster's default FS by surprise. */
    public static Path path(String location) {
        Path p = new Path(location);
        if (p.toUri().getScheme() == null) {
            return new Path(new File(location).getAbsoluteFile().toURI());
        }
        return p;
    }

    public static FileSystem fs(Path path, Configuration conf) throws IOException {
        return path.getFileSystem(conf);
    }

    public static byte[] readAll(Path path, Configuration conf) throws IOException {
        requireRegularFile(path);
        FileSystem fs = fs(path, conf);
        long len = fs.getFileStatus(path).getLen();
        if (len > Integer.MAX_VALUE - 16) {
            throw new IOException(path + " is too large to read at once (" + len + " bytes)");
        }
        byte[] bytes = new byte[(int) len];
        try (InputStream in = fs.open(path)) {
            int off = 0;
            while (off < bytes.length) {
                int n = in.read(bytes, off, bytes.length - off);
                if (n < 0) {
                    throw new IOException(path + " ended after " + off + " of " + len + " bytes");
                }
                off += n;
            }
        } catch (ChecksumException e) {
            throw new BadInputException(path + " disagrees with its Hadoop checksum file (." + path.getName()
                    + ".crc): the file is damaged or was edited", e);
        }
        return bytes;
    }

    /**
     * Refuses a local path that is not a regular file before anything opens it: opening a FIFO
     * blocks until a writer appears, which for a stray {@code mkfifo x.jpg} is forever.
     */
    public static void requireRegularFile(Path path) throws IOException {
        if (!"file".equals(path.toUri().getScheme())) {
            return;
        }
        java.nio.file.Path p = Paths.get(path.toUri());
        if (Files.isRegularFile(p)) {
            return;
        }
        if (!Files.exists(p)) {
            throw new FileNotFoundException(path + " does not exist"
                    + (Files.isSymbolicLink(p) ? " (a symbolic link to a missing file)" : ""));
        }
        throw new IOException(path + " is not a regular file (" + LocalTree.describe(p) + ")");
    }

    /** Writes to a hidden sibling, then renames over the target: readers see the old file or the new one, never half. */
    public static void writeAtomically(Path target, Configuration conf, byte[] content) throws IOException {
        FileSystem fs = fs(target, conf);
        fs.mkdirs(target.getParent());
        Path tmp = stagingPath(target);
        try (FSDataOutputStream out = fs.create(tmp, true)) {
            out.write(content);
        }
        commit(fs, tmp, target);
    }

    /** The hidden sibling a file is written to before {@link #commit} moves it into place. */
    public static Path stagingPath(Path target) {
        return new Path(target.getParent(), "." + target.getName() + "." + UUID.randomUUID() + ".tmp");
    }

    /** Moves a finished temporary file into place, replacing any previous file. */
    public static void commit(FileSystem fs, Path tmp, Path target) throws IOException {
        if (fs.exists(target) && !fs.delete(target, false)) {
            throw new IOException("cannot replace " + target);
        }
        if (!fs.rename(tmp, target)) {
            throw new IOException("cannot rename " + tmp + " to " + target);
        }
    }

    public static void write(Path target, Configuration conf, byte[] content) throws IOException {
        FileSystem fs = fs(target, conf);
        try (OutputStream out = fs.create(target, true)) {
            out.write(content);
        }
    }

    public static String sha256(Path path, Configuration conf) throws IOException {
        MessageDigest md = sha256();
        byte[] buf = new byte[1 << 16];
        try (InputStream in = fs(path, conf).open(path)) {
            int n;
            while ((n = in.read(buf)) > 0) {
                md.update(buf, 0, n);
            }
        }
        return HexFormat.of().formatHex(md.digest());
    }

    public static String sha256(byte[] bytes) {
        return HexFormat.of().formatHex(sha256().digest(bytes));
    }

    private static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("the JVM lacks SHA-256", e);
        }
    }
}
