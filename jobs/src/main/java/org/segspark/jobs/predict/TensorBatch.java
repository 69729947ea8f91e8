package org.segspark.jobs.predict;

import org.nd4j.linalg.api.ndarray.INDArray;
import org.segspark.jobs.data.Targets;
import org.segspark.jobs.eval.Evaluation;
import org.segspark.preprocess.image.RgbImage;

import org.segspark.core.shards.ShardFormat;
import org.segspark.jobs.run.ModelInput;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * One forward pass over images already fitted to the model's tensor, and each image's result at
 * its own size: what {@code segspark predict} writes and the Spark ML model returns.
 */
public final class TensorBatch {
    private TensorBatch() {
    }

    /** An image fitted to the tensor (pixels of tensor size), with the image's own size. */
    public record Fitted(RgbImage tensor, int width, int height) {
    }

    /**
     * Classification: the class probabilities. Segmentation: the label map at the image's own size
     * (255 where a smaller output does not reach) and each class's pixel count in it.
     */
    public record Result(float[] probabilities, byte[] labelMap, long[] classPixels) {
        /** The most probable class (the first of equals). */
        public int best() {
            int best = 0;
            for (int j = 1; j < probabilities.length; j++) {
                best = probabilities[j] > probabilities[best] ? j : best;
            }
            return best;
        }
    }

    public static List<Result> predict(BatchModel net, ModelInput input, Targets targets, List<Fitted> images) {
        int n = images.size(), h = input.height(), w = input.width(), c = input.channels(), plane = h * w;
        float[] x = new float[n * c * plane];
        for (int i = 0; i < n; i++) {
            input.normalizer().toChw(input.pixels(images.get(i).tensor().pixels()), h, w, x, i * c * plane);
        }
        INDArray output = net.output(x, new long[] {n, c, h, w});
        List<Result> results = new ArrayList<>(n);
        if (!input.segmentation()) {
            float[] p = output.ravel().toFloatVector();
            int k = (int) output.size(1);
            for (int i = 0; i < n; i++) {
                float[] own = new float[k];
                System.arraycopy(p, i * k, own, 0, k);
                results.add(new Result(own, null, null));
            }
            return results;
        }
        int[] predicted = Evaluation.predictions(output, targets);
        for (int i = 0; i < n; i++) {
            Fitted img = images.get(i);
            byte[] labels = ImagePredictor.toImageSize(tensorLabels(input, targets, predicted, i), w, h, img.width(),
                    img.height(), input.aspect());
            long[] counts = new long[input.classes().size()];
            for (byte b : labels) {
                int v = b & 0xff;
                if (v < counts.length) {
                    counts[v]++;
                }
            }
            results.add(new Result(null, labels, counts));
        }
        return results;
    }

    /** Image {@code i}'s predicted classes on the tensor grid, 255 outside the output's window. */
    static byte[] tensorLabels(ModelInput input, Targets targets, int[] predicted, int i) {
        int h = input.height(), w = input.width(), oh = targets.outputHeight(), ow = targets.outputWidth();
        int top = targets.top(h), left = targets.left(w);
        byte[] labels = new byte[h * w];
        if (oh != h || ow != w) {
            Arrays.fill(labels, (byte) ShardFormat.IGNORE_LABEL);
        }
        for (int y = 0; y < oh; y++) {
            for (int x = 0; x < ow; x++) {
                labels[(y + top) * w + x + left] = (byte) predicted[i * oh * ow + y * ow + x];
            }
        }
        return labels;
    }
}
