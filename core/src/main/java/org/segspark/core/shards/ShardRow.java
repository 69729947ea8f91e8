package org.segspark.core.shards;

import java.io.Serializable;

/**
 * One example of a shard: an RGB image as uint8 HWC and, for segmentation, its uint8 HW label map
 * (255 = ignore), or for classification its class index. {@code key} is the stable id of the
 * example (its source path relative to the data set root).
 */
public record ShardRow(String key, String source, String split, int height, int width, int channels,
                       byte[] image, byte[] mask, int label) implements Serializable {

    public static final int NO_LABEL = -1;

    public ShardRow {
        if (image.length != height * width * channels) {
            throw new IllegalArgumentException(key + ": image has " + image.length + " bytes, expected "
                    + height + "x" + width + "x" + channels);
        }
        if (mask != null && mask.length != height * width) {
            throw new IllegalArgumentException(key + ": mask has " + mask.length + " bytes, expected "
                    + height + "x" + width);
        }
    }

    public static ShardRow segmentation(String key, String source, String split, int height, int width,
                                        byte[] image, byte[] mask) {
        return new ShardRow(key, source, split, height, width, 3, image, mask, NO_LABEL);
    }

    public static ShardRow classification(String key, String source, String split, int height, int width,
                                          byte[] image, int label) {
        return new ShardRow(key, source, split, height, width, 3, image, null, label);
    }
}
