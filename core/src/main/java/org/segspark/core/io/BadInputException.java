package org.segspark.core.io;

import java.io.IOException;

/**
 * Input a user gave that segspark cannot use (a damaged file, one that disagrees with what
 * describes it): the command fails with this one-line message, which names the file, and exit code 2.
 */
public class BadInputException extends IOException {
    public BadInputException(String message) {
        super(message);
    }

    public BadInputException(String message, Throwable cause) {
        super(message, cause);
    }

    /** The innermost cause's type and message: what a damaged file made the library say. */
    public static String rootMessage(Throwable e) {
        Throwable t = e;
        while (t.getCause() != null && t.getCause() != t) {
            t = t.getCause();
        }
        return t.getClass().getSimpleName() + (t.getMessage() == null ? "" : ": " + t.getMessage());
    }
}
