package org.segspark.preprocess.idx;

import java.io.IOException;

/** An IDX file whose header or length is not what the format says; the message names the file and the offset. */
public final class IdxFormatException extends IOException {
    private static final long serialVersionUID = 1L;

    public IdxFormatException(String message) {
        super(message);
    }
}
