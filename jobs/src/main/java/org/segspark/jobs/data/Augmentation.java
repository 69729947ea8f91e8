package org.segspark.jobs.data;

import java.io.Serializable;

/**
 * How training examples vary from epoch to epoch: mirrored left-right, and moved by up to
 * {@code shift} pixels along each axis. Validation and evaluation never vary.
 */
public record Augmentation(boolean flip, int shift) implements Serializable {
    public static final Augmentation NONE = new Augmentation(false, 0);

    public Augmentation {
        if (shift < 0) {
            throw new IllegalArgumentException("shift must be >= 0, got " + shift);
        }
    }
}
