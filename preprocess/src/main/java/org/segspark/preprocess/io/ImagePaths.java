package org.segspark.preprocess.io;

import org.apache.hadoop.fs.Path;

/** Resolves a file name from a data set's metadata against its image root, refusing names that escape the root. */
public final class ImagePaths {
    private ImagePaths() {
    }

    public static Path resolve(Path root, String relative) {
        if (relative == null || relative.isEmpty()) {
            throw new IllegalArgumentException("empty file name");
        }
        if (relative.startsWith("/") || relative.startsWith("\\") || relative.matches("^[A-Za-z][A-Za-z0-9+.-]*:.*")) {
            throw new IllegalArgumentException("file name \"" + relative + "\" is absolute; it must be relative to the image root");
        }
        int depth = 0;
        for (String part : relative.replace('\\', '/').split("/")) {
            if (part.isEmpty() || part.equals(".")) {
                continue;
            }
            if (part.equals("..")) {
                depth--;
                if (depth < 0) {
                    throw new IllegalArgumentException("file name \"" + relative + "\" escapes the image root");
                }
            } else {
                depth++;
            }
        }
        return new Path(root, relative.replace('\\', '/'));
    }
}
