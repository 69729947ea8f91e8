package org.segspark.preprocess.coco;

/** A COCO file that cannot be read as such; the message names the file or item and the reason. */
public class CocoFormatException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public CocoFormatException(String message) {
        super(message);
    }

    public CocoFormatException(String message, Throwable cause) {
        super(message, cause);
    }
}
