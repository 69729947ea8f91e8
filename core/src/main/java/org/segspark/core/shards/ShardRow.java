package org.segspark.core.shards;

import java.io.Serializable;

/**
 * One example of a shard: an RGB (or grey, one channel) image as uint8 HWC and, for segmentation, its uint8 HW label map
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

    /** The image as RGB HWC: itself, or a grey image's value three times (for pictures of it). */
    public byte[] rgb() {
        return channels == 3 ? image : greyToRgb(image);
    }

    /** A grey image's values (one channel) as RGB HWC: each value three times. */
    public static byte[] greyToRgb(byte[] grey) {
        byte[] rgb = new byte[grey.length * 3];
        for (int p = 0; p < grey.length; p++) {
            rgb[3 * p] = rgb[3 * p + 1] = rgb[3 * p + 2] = grey[p];
        }
        return rgb;
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
