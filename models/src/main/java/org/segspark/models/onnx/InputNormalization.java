package org.segspark.models.onnx;

/**
 * The normalisation training applied to pixel values 0-255 (RGB, NCHW), to build into the graph
 * in front of the network: (x - mean[c]) / std[c] with the data set's statistics, or with each
 * image's own mean and standard deviation per channel (floored at 1) when {@code perImage}.
 */
public record InputNormalization(boolean perImage, float[] mean, float[] std) {
    public InputNormalization {
        if (!perImage && (mean == null || std == null || mean.length != std.length)) {
            throw new IllegalArgumentException("dataset normalisation needs a mean and a std per channel");
        }
    }
}
