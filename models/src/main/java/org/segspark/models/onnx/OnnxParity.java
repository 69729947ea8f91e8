package org.segspark.models.onnx;

import org.deeplearning4j.nn.graph.ComputationGraph;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

import java.util.Arrays;

/** How far an exported model's outputs are from the network's own on the same input. */
public final class OnnxParity {
    private OnnxParity() {
    }

    /** The largest absolute difference between DL4J's and ONNX Runtime's outputs for {@code x} [n, c, h, w]. */
    public static double maxAbsDifference(ComputationGraph net, OnnxRuntimeModel onnx, INDArray x) {
        float[] expected = net.output(false, x)[0].castTo(DataType.FLOAT).dup('c').reshape(-1).toFloatVector();
        float[] input = x.castTo(DataType.FLOAT).dup('c').reshape(-1).toFloatVector();
        OnnxRuntimeModel.Output out = onnx.run(input, x.shape());
        if (out.values().length != expected.length) {
            throw new IllegalStateException("ONNX output shape " + Arrays.toString(out.shape()) + " differs from DL4J's "
                    + Arrays.toString(net.output(false, x)[0].shape()));
        }
        double max = 0;
        for (int i = 0; i < expected.length; i++) {
            max = Math.max(max, Math.abs(expected[i] - out.values()[i]));
        }
        return max;
    }
}
