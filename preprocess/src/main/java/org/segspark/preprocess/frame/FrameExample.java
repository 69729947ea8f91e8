package org.segspark.preprocess.frame;

import java.io.Serializable;

/**
 * One example of a DataFrame on its way to a shard set: its key, its image, and its mask (an
 * 8-bit PNG of class indices, segmentation) or its label (classification).
 *
 * @param label as the column held it (Spark ML keeps labels as doubles); null when the row has none
 */
public record FrameExample(String key, ImageCell image, byte[] mask, Double label) implements Serializable {
}
