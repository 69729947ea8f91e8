package org.segspark.models.layers;

import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * 1x1 convolutions with stride 1 as matrix products where libnd4j's conv2d ops on oneDNN are slow
 * (they set up a primitive and reorder the tensors to a blocked layout and back on every call):
 * <ul>
 * <li>on 1x1 maps, forward and backward, as one product over the batch: the tensor [N, C, 1, 1]
 * is already the matrix [N, C]. Batch 32, 1,024 -> 1,024 channels: 0.7 + 0.8 ms against conv2d's
 * 2.5 + 3.0 ms;</li>
 * <li>inference on large maps of a small batch, one product per sample on the NCHW tensor as it
 * is ([Cout, Cin] x [Cin, H*W]): batch 4, 16 -> 96 channels at 64x64, 0.4 ms against 2.3 ms. In
 * training the same path cost MobileNetV3-Small at 128x128 10% of its speed (59 against 66
 * images/s, 30 s runs), so training keeps conv2d there.</li>
 * </ul>
 * Elsewhere conv2d is as fast or faster (measured per shape; docs/BENCHMARKS.md): products per
 * sample on large batches pay a call each, and transposing maps larger than 1x1 into rows costs
 * more than it saves.
 */
final class PointwiseConvolution {
    /** Inference with at most this many samples and at least this many pixels takes one product per sample. */
    static final int PER_SAMPLE_MAX_BATCH = 8;
    static final int PER_SAMPLE_MIN_PLANE = 256;

    private PointwiseConvolution() {
    }

    static boolean pointwise(int[] kernel, int[] stride, int[] pad, int[] dilation) {
        return kernel[0] == 1 && kernel[1] == 1 && stride[0] == 1 && stride[1] == 1 && pad[0] == 0 && pad[1] == 0
                && dilation[0] == 1 && dilation[1] == 1;
    }

    /** Whether {@link #forward} computes this input better than conv2d. */
    static boolean forwardApplies(INDArray x, boolean training) {
        long hw = x.size(2) * x.size(3);
        return hw == 1 || !training && x.size(0) <= PER_SAMPLE_MAX_BATCH && hw >= PER_SAMPLE_MIN_PLANE;
    }

    /** Whether {@link #backward} computes this input better than conv2d_bp. */
    static boolean backwardApplies(INDArray x) {
        return x.size(2) * x.size(3) == 1;
    }

    private static INDArray matrix(INDArray a) {
        return a.reshape('c', a.size(0), a.size(1));
    }

    /** out [N, Cout, H, W] = w [Cout, Cin, 1, 1] * x + b. */
    static void forward(INDArray x, INDArray w, INDArray b, INDArray out) {
        INDArray w2 = matrix(w);
        INDArray in = PlaneKernels.contiguous(x);
        long n = in.size(0), hw = in.size(2) * in.size(3);
        if (hw == 1) {
            INDArray y = matrix(out);
            if (n > PER_SAMPLE_MAX_BATCH) {
                // OpenBLAS takes x . w^T with a few rows of x 2-5x slower than (w . x^T)^T: batch 32,
                // 1,024 -> 1,024 channels, 2.4 against 0.7 ms (at 8 rows and fewer the first is faster)
                INDArray t = Nd4j.createUninitialized(DataType.FLOAT, w2.size(0), n);
                Nd4j.gemm(w2, matrix(in), t, false, true, 1.0, 0.0);
                y.assign(t.transpose());
            } else {
                Nd4j.gemm(matrix(in), w2, y, false, true, 1.0, 0.0);
            }
            if (b != null) {
                y.addiRowVector(b.reshape(b.length()));
            }
            return;
        }
        for (int i = 0; i < n; i++) {
            Nd4j.gemm(w2, in.slice(i).reshape('c', in.size(1), hw), out.slice(i).reshape('c', out.size(1), hw), false, false,
                    1.0, 0.0);
        }
        if (b != null) {
            out.addi(b.reshape(1, b.length(), 1, 1));
        }
    }

    /** On 1x1 maps: the input gradient into dx, the weight and bias gradients into dW and dB (dB may be null). */
    static void backward(INDArray x, INDArray w, INDArray dy, INDArray dx, INDArray dW, INDArray dB) {
        INDArray g = matrix(PlaneKernels.contiguous(dy));
        Nd4j.gemm(g, matrix(PlaneKernels.contiguous(x)), matrix(dW), true, false, 1.0, 0.0);
        if (dB != null) {
            dB.assign(g.sum(0).reshape(dB.shape()));
        }
        Nd4j.gemm(g, matrix(w), matrix(dx), false, false, 1.0, 0.0);
    }
}
