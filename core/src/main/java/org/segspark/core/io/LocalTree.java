package org.segspark.core.io;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;

/** What a local path is, in words for a reject or an error. */
public final class LocalTree {
    private LocalTree() {
    }

    public static String describe(Path p) {
        try {
            BasicFileAttributes a = Files.readAttributes(p, BasicFileAttributes.class);
            if (a.isDirectory()) {
                return "a folder";
            }
            if (a.isOther()) {
                return "a FIFO, socket or device";
            }
            return a.isRegularFile() ? "a regular file" : "not a file or folder";
        } catch (IOException e) {
            return Files.isSymbolicLink(p) ? "a symbolic link that cannot be followed" : "unreadable: " + e.getMessage();
        }
    }

    public static boolean isLink(Path p) {
        return Files.isSymbolicLink(p);
    }

    public static BasicFileAttributes noFollow(Path p) throws IOException {
        return Files.readAttributes(p, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
    }
}
