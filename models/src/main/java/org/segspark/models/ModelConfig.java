package org.segspark.models;

import java.io.Serializable;
import java.util.Locale;

/**
 * The configuration every registry model is built from. A model reads the fields it has and
 * ignores the others; each field is validated here once.
 *
 * @param classes         output classes (segmentation: including background), 1..255
 * @param height          input height in pixels
 * @param width           input width in pixels
 * @param widthMultiplier MobileNet's alpha: channel counts are scaled by it (and rounded as the reference does); 1 for others
 * @param seed            weight initialisation seed
 * @param outputStride    DeepLabV3+'s output stride: 16 or 8 (atrous convolutions replace the strides beyond it)
 * @param padding         U-Net's convolutions: "same" (output = input size) or "valid" (the paper's, output smaller)
 * @param head            unet-vgg16's head: "sigmoid" (one channel, binary foreground) or "softmax" (one channel per class)
 * @param freezeEncoder   keep the encoder's parameters fixed (pretrained encoders; design C trains the decoder only)
 * @param architecture    a searchable model's architecture as JSON (the nas models: settings or a saved
 *                        definition); empty for the model's default
 * @param channels        input channels: 3 (RGB) or 1 (grey)
 */
public record ModelConfig(int classes, int height, int width, double widthMultiplier, long seed, int outputStride,
                          String padding, String head, boolean freezeEncoder, String architecture, int channels)
        implements Serializable {

    public static final String SAME = "same";
    public static final String VALID = "valid";
    public static final String SOFTMAX = "softmax";
    public static final String SIGMOID = "sigmoid";

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
        if (outputStride != 8 && outputStride != 16) {
            throw new IllegalArgumentException("output stride must be 8 or 16, got " + outputStride);
        }
        padding = padding.toLowerCase(Locale.ROOT);
        if (!padding.equals(SAME) && !padding.equals(VALID)) {
            throw new IllegalArgumentException("padding must be same or valid, got " + padding);
        }
        head = head.toLowerCase(Locale.ROOT);
        if (!head.equals(SOFTMAX) && !head.equals(SIGMOID)) {
            throw new IllegalArgumentException("head must be softmax or sigmoid, got " + head);
        }
        architecture = architecture == null ? "" : architecture.strip();
        if (channels != 1 && channels != 3) {
            throw new IllegalArgumentException("input channels must be 1 (grey) or 3 (RGB), got " + channels);
        }
    }

    public ModelConfig(int classes, int height, int width, double widthMultiplier, long seed, int outputStride,
                       String padding, String head, boolean freezeEncoder, String architecture) {
        this(classes, height, width, widthMultiplier, seed, outputStride, padding, head, freezeEncoder, architecture, 3);
    }

    public ModelConfig(int classes, int height, int width, double widthMultiplier, long seed, int outputStride,
                       String padding, String head, boolean freezeEncoder) {
        this(classes, height, width, widthMultiplier, seed, outputStride, padding, head, freezeEncoder, "");
    }

    /** The common case: every option at its usual value. */
    public ModelConfig(int classes, int height, int width, double widthMultiplier, long seed) {
        this(classes, height, width, widthMultiplier, seed, 16, SAME, SOFTMAX, false);
    }

    public ModelConfig withClasses(int c) {
        return new ModelConfig(c, height, width, widthMultiplier, seed, outputStride, padding, head, freezeEncoder,
                architecture, channels);
    }

    public ModelConfig withInput(int h, int w) {
        return new ModelConfig(classes, h, w, widthMultiplier, seed, outputStride, padding, head, freezeEncoder,
                architecture, channels);
    }

    public ModelConfig withSeed(long s) {
        return new ModelConfig(classes, height, width, widthMultiplier, s, outputStride, padding, head, freezeEncoder,
                architecture, channels);
    }

    public ModelConfig withWidthMultiplier(double a) {
        return new ModelConfig(classes, height, width, a, seed, outputStride, padding, head, freezeEncoder,
                architecture, channels);
    }

    public ModelConfig withOutputStride(int os) {
        return new ModelConfig(classes, height, width, widthMultiplier, seed, os, padding, head, freezeEncoder,
                architecture, channels);
    }

    public ModelConfig withPadding(String p) {
        return new ModelConfig(classes, height, width, widthMultiplier, seed, outputStride, p, head, freezeEncoder,
                architecture, channels);
    }

    public ModelConfig withHead(String h) {
        return new ModelConfig(classes, height, width, widthMultiplier, seed, outputStride, padding, h, freezeEncoder,
                architecture, channels);
    }

    public ModelConfig withFreezeEncoder(boolean f) {
        return new ModelConfig(classes, height, width, widthMultiplier, seed, outputStride, padding, head, f,
                architecture, channels);
    }

    public ModelConfig withChannels(int c) {
        return new ModelConfig(classes, height, width, widthMultiplier, seed, outputStride, padding, head, freezeEncoder,
                architecture, c);
    }

    public ModelConfig withArchitecture(String json) {
        return new ModelConfig(classes, height, width, widthMultiplier, seed, outputStride, padding, head, freezeEncoder,
                json, channels);
    }

    /** MobileNet's resolution multiplier rho: the input scaled from this size, rounded to a multiple of 32. */
    public ModelConfig withResolutionMultiplier(double rho) {
        if (!(rho > 0 && rho <= 4)) {
            throw new IllegalArgumentException("resolution multiplier must be in (0, 4], got " + rho);
        }
        int h = Math.max(32, (int) Math.round(height * rho / 32) * 32);
        int w = Math.max(32, (int) Math.round(width * rho / 32) * 32);
        return withInput(h, w);
    }

    /** Rejects input sizes a network with the given total stride cannot take. */
    public void requireInputMultipleOf(int stride, String model) {
        if (height % stride != 0 || width % stride != 0) {
            throw new IllegalArgumentException(model + " needs input height and width divisible by " + stride
                    + ", got " + height + "x" + width);
        }
    }

    /** Channels of a segmentation model's output: one for a sigmoid head, otherwise one per class. */
    public int outputChannels() {
        return head.equals(SIGMOID) ? 1 : classes;
    }
}
