package org.segspark.preprocess.io;

import org.apache.hadoop.fs.Path;

import java.util.ArrayDeque;
import java.util.Deque;

/**
 * Resolves a file name from a data set's metadata against its image root, refusing names that
 * escape the root, by their text or through a symbolic link.
 */
public final class ImagePaths {
    private ImagePaths() {
    }

    public static Path resolve(Path root, String relative) {
        Path file = new Path(root, normalize(relative));
        String escape = InputTree.escapes(root, file);
        if (escape != null) {
            throw new IllegalArgumentException("file name \"" + relative + "\" " + escape);
        }
        return file;
    }

    /**
     * The name in one spelling: {@code ./x.jpg}, {@code a/../x.jpg} and {@code x.jpg} are one file
     * and must be one input. Refuses absolute names, names escaping the root and names of folders.
     */
    public static String normalize(String relative) {
        if (relative == null || relative.isEmpty()) {
            throw new IllegalArgumentException("empty file name");
        }
        if (relative.startsWith("/") || relative.startsWith("\\") || relative.matches("^[A-Za-z][A-Za-z0-9+.-]*:.*")) {
            throw new IllegalArgumentException("file name \"" + relative + "\" is absolute; it must be relative to the image root");
        }
        String slashed = relative.replace('\\', '/');
        if (slashed.endsWith("/")) {
            throw new IllegalArgumentException("file name \"" + relative + "\" ends with a slash: it names a folder, not an image");
        }
        Deque<String> parts = new ArrayDeque<>();
        for (String part : slashed.split("/")) {
            if (part.isEmpty() || part.equals(".")) {
                continue;
            }
            if (part.equals("..")) {
                if (parts.isEmpty()) {
                    throw new IllegalArgumentException("file name \"" + relative + "\" escapes the image root");
                }
                parts.removeLast();
            } else {
                parts.addLast(part);
            }
        }
        if (parts.isEmpty()) {
            throw new IllegalArgumentException("file name \"" + relative + "\" names the image root itself");
        }
        return String.join("/", parts);
    }
}
