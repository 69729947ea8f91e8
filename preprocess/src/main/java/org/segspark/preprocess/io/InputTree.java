package org.segspark.preprocess.io;

import java.util.Comparator;

import org.segspark.core.io.HadoopFiles;

import org.segspark.core.io.LocalTree;

import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;

import java.io.FileNotFoundException;
import java.io.IOException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Paths;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;

/**
 * Every entry below an input folder, each either a file to read or a reject saying why it is not
 * read: hidden names (a leading dot or underscore), symbolic links that dangle, loop or lead
 * outside the folder, FIFOs, sockets and devices. Nothing below the folder goes unaccounted.
 * Local folders are walked with the operating system's own view of links and file types; other
 * Hadoop file systems have neither.
 */
public final class InputTree {
    /**
     * @param files   regular files, relative to the root with '/' separators, sorted
     * @param rejects entries not read, their paths prefixed by the walk's label
     */
    public record Listing(List<String> files, List<Reject> rejects) {
    }

    private InputTree() {
    }

    /** Refuses a root that is missing or not a folder: an unmounted input must not look like an empty one. */
    public static void requireFolder(String root, Configuration conf, String option) throws IOException {
        Path dir = HadoopFiles.path(root);
        FileSystem fs = HadoopFiles.fs(dir, conf);
        if (!fs.exists(dir)) {
            throw new FileNotFoundException(option + " " + root + " does not exist");
        }
        if (!fs.getFileStatus(dir).isDirectory()) {
            throw new IllegalArgumentException(option + " " + root + " is not a folder");
        }
    }

    public static boolean hidden(String name) {
        return name.startsWith(".") || name.startsWith("_");
    }

    /** Walks {@code root}; reject paths are {@code label + relative path}. */
    public static Listing walk(String root, Configuration conf, String label) throws IOException {
        Path dir = HadoopFiles.path(root);
        List<String> files = new ArrayList<>();
        List<Reject> rejects = new ArrayList<>();
        if ("file".equals(dir.toUri().getScheme())) {
            java.nio.file.Path local = Paths.get(dir.toUri());
            java.nio.file.Path real = local.toRealPath();
            Set<java.nio.file.Path> seen = new HashSet<>();
            seen.add(real);
            walkLocal(local, real, "", label, files, rejects, seen);
        } else {
            walkHadoop(HadoopFiles.fs(dir, conf), dir, "", label, files, rejects);
        }
        files.sort(null);
        rejects.sort(Comparator.comparing(Reject::path));
        return new Listing(files, rejects);
    }

    private static void walkLocal(java.nio.file.Path dir, java.nio.file.Path rootReal, String prefix, String label,
                                  List<String> files, List<Reject> rejects, Set<java.nio.file.Path> seen)
            throws IOException {
        List<java.nio.file.Path> entries;
        try (Stream<java.nio.file.Path> s = Files.list(dir)) {
            entries = s.sorted().toList();
        }
        for (java.nio.file.Path p : entries) {
            String name = p.getFileName().toString();
            String rel = prefix + name;
            BasicFileAttributes own = LocalTree.noFollow(p);
            if (hidden(name)) {
                rejects.add(new Reject(label + rel, "list", own.isDirectory()
                        ? "hidden folder (name starts with . or _): its files are not read"
                        : "hidden file (name starts with . or _): not read"));
                continue;
            }
            java.nio.file.Path real;
            try {
                real = p.toRealPath();
            } catch (NoSuchFileException e) {
                rejects.add(new Reject(label + rel, "list", "symbolic link to a missing file: "
                        + Files.readSymbolicLink(p)));
                continue;
            } catch (FileSystemException e) {
                rejects.add(new Reject(label + rel, "list", "symbolic link that cannot be followed (a loop?): "
                        + (e.getReason() == null ? e.getMessage() : e.getReason())));
                continue;
            }
            if (own.isSymbolicLink() && !real.startsWith(rootReal)) {
                rejects.add(new Reject(label + rel, "list", "symbolic link to " + real + ", outside the input folder"));
                continue;
            }
            BasicFileAttributes a = Files.readAttributes(real, BasicFileAttributes.class);
            if (a.isDirectory()) {
                if (!seen.add(real)) {
                    rejects.add(new Reject(label + rel, "list", "symbolic link loop: " + real + " is listed already"));
                    continue;
                }
                walkLocal(p, rootReal, rel + "/", label, files, rejects, seen);
            } else if (a.isRegularFile()) {
                files.add(rel);
            } else {
                rejects.add(new Reject(label + rel, "list", "not a regular file (" + LocalTree.describe(real) + ")"));
            }
        }
    }

    private static void walkHadoop(FileSystem fs, Path dir, String prefix, String label, List<String> files,
                                   List<Reject> rejects) throws IOException {
        for (FileStatus f : fs.listStatus(dir)) {
            String name = f.getPath().getName();
            String rel = prefix + name;
            if (hidden(name)) {
                rejects.add(new Reject(label + rel, "list", f.isDirectory()
                        ? "hidden folder (name starts with . or _): its files are not read"
                        : "hidden file (name starts with . or _): not read"));
            } else if (f.isDirectory()) {
                walkHadoop(fs, f.getPath(), rel + "/", label, files, rejects);
            } else {
                files.add(rel);
            }
        }
    }

    /**
     * Whether a local file under {@code root} resolves inside it: a symbolic link inside an image
     * root must not smuggle files from elsewhere into a data set. Null when it does (or the file
     * is not local, or missing: the read reports that), else the reason.
     */
    public static String escapes(Path root, Path file) {
        if (!"file".equals(file.toUri().getScheme()) || !"file".equals(root.toUri().getScheme())) {
            return null;
        }
        try {
            java.nio.file.Path real = Paths.get(file.toUri()).toRealPath();
            java.nio.file.Path rootReal = Paths.get(root.toUri()).toRealPath();
            return real.startsWith(rootReal) ? null : "resolves through a symbolic link to " + real
                    + ", outside the image root " + rootReal;
        } catch (NoSuchFileException e) {
            return null;
        } catch (IOException e) {
            return "cannot be resolved: " + e.getMessage();
        }
    }
}
