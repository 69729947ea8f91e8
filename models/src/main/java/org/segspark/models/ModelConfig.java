package org.segspark.models;

import java.io.Serializable;

/**
 * The configuration every registry model is built from.
 *
 * @param classes         output classes (segmentation: including background), 1..255
 * @param height          input height in pixels
 * @param width           input width in pixels
 * @param widthMultiplier MobileNet's alpha: channel counts are scaled by it (and rounded as the reference does); 1 for others
 * @param seed            weight initialisation seed
 */
public record ModelConfig(int classes, int height, int width, double widthMultiplier, long seed) implements Serializable {

    public ModelConfig {
        if (classes < 1 || classes > 255) {
            throw new IllegalArgumentException("classes must be 1..255, got " + classes);
        }
        if (height < 8 || width < 8) {
            throw new IllegalArgumentException("input must be at least 8x8, got " + height + "x" + width);
        }
        if (!(widthMultiplier > 0 && widthMultiplier <= 4)) {
            throw new IllegalArgumentException("width multiplier must be in (0, 4], got " + widthMultiplier);
        }
    }

    public ModelConfig withClasses(int c) {
        return new ModelConfig(c, height, width, widthMultiplier, seed);
    }

    public ModelConfig withInput(int h, int w) {
        return new ModelConfig(classes, h, w, widthMultiplier, seed);
    }

    public ModelConfig withSeed(long s) {
        return new ModelConfig(classes, height, width, widthMultiplier, s);
    }

    /** Rejects input sizes a network with the given total stride cannot take. */
    public void requireInputMultipleOf(int stride, String model) {
        if (height % stride != 0 || width % stride != 0) {
            throw new IllegalArgumentException(model + " needs input height and width divisible by " + stride
                    + ", got " + height + "x" + width);
        }
    }
}
