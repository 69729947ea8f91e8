package org.segspark.preprocess.image;

/** 8-bit RGB pixels, row-major, interleaved (HWC): pixel (y, x) channel c is at (y * width + x) * 3 + c. */
public record RgbImage(int width, int height, byte[] pixels) {
    public RgbImage {
        if (pixels.length != width * height * 3) {
            throw new IllegalArgumentException("expected " + (width * height * 3) + " bytes for " + width + "x"
                    + height + " RGB, got " + pixels.length);
        }
    }
}
