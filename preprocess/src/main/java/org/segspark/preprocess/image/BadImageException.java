package org.segspark.preprocess.image;

/** An image file that cannot be used; the message is the reason, for a rejects row. */
public class BadImageException extends Exception {
    private static final long serialVersionUID = 1L;

    public BadImageException(String reason) {
        super(reason);
    }

    public BadImageException(String reason, Throwable cause) {
        super(reason, cause);
    }
}
