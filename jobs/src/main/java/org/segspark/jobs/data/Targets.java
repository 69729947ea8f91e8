package org.segspark.jobs.data;

import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.segspark.models.ModelConfig;
import org.segspark.core.Task;

import java.io.Serializable;

/**
 * What a network's output asks of the labels: classes; for segmentation the output's size (smaller
 * than the input for a valid-padding U-Net, whose labels are then centre-cropped as in the paper)
 * and whether the head is one sigmoid channel (binary: class 1 is foreground, 0 background).
 */
public record Targets(Task task, int classes, int outputHeight, int outputWidth, boolean binary)
        implements Serializable {

    public static Targets classification(int classes) {
        return new Targets(Task.CLASSIFICATION, classes, 0, 0, false);
    }

    public static Targets segmentation(int classes, int height, int width) {
        return new Targets(Task.SEGMENTATION, classes, height, width, false);
    }

    /** The targets of a built configuration, from its output's shape at the given input size. */
    public static Targets of(Task task, ModelConfig model, ComputationGraphConfiguration conf) {
        if (task == Task.CLASSIFICATION) {
            return classification(model.classes());
        }
        return segmentation(model.classes(), model.height(), model.width(), model.channels(), conf);
    }

    /** The segmentation targets of a built configuration at an input of {@code height} x {@code width} x {@code channels}. */
    public static Targets segmentation(int classes, int height, int width, int channels,
                                       ComputationGraphConfiguration conf) {
        InputType in = InputType.convolutional(height, width, channels);
        InputType out = conf.getLayerActivationTypes(in).get(conf.getNetworkOutputs().get(0));
        if (!(out instanceof InputType.InputTypeConvolutional c)) {
            throw new IllegalStateException("a segmentation model must output [n, c, h, w], this one gives " + out);
        }
        return new Targets(Task.SEGMENTATION, classes, (int) c.getHeight(), (int) c.getWidth(), c.getChannels() == 1);
    }

    /**
     * The positions DL4J sums an example's loss over: the output's pixels (segmentation) or one
     * (classification). Every loss segspark reports is divided by it, so that training, validation
     * and evaluate all give the mean cross-entropy per pixel (per image).
     */
    public double lossPositions() {
        return segmentation() ? (double) outputHeight * outputWidth : 1.0;
    }

    public boolean segmentation() {
        return task == Task.SEGMENTATION;
    }

    /** Rows cropped from each side of an h x w label map to match the output. */
    public int top(int h) {
        return (h - outputHeight) / 2;
    }

    public int left(int w) {
        return (w - outputWidth) / 2;
    }
}
