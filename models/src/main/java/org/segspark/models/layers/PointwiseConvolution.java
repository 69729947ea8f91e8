package org.segspark.models.layers;

import org.bytedeco.javacpp.FloatPointer;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import java.util.concurrent.atomic.AtomicBoolean;

import static org.bytedeco.openblas.global.openblas_nolapack.CblasNoTrans;
import static org.bytedeco.openblas.global.openblas_nolapack.CblasRowMajor;
import static org.bytedeco.openblas.global.openblas_nolapack.CblasTrans;
import static org.bytedeco.openblas.global.openblas_nolapack.cblas_sgemm;

/**
 * 1x1 convolutions with stride 1 as matrix products, where libnd4j's conv2d ops on oneDNN are slow
 * (they set up a primitive and reorder the tensors to a blocked layout and back on every call):
 * <ul>
 * <li>on 1x1 maps, forward and backward, as one product over the batch: the tensor [N, C, 1, 1]
 * is already the matrix [N, C]. Batch 32, 1,024 -> 1,024 channels: 0.7 + 0.8 ms against conv2d's
 * 2.5 + 3.0 ms;</li>
 * <li>on maps of 8x8 and larger, one product per sample on the NCHW tensor as it is
 * ([Cout, Cin] x [Cin, H*W]), called straight into OpenBLAS on the tensors' memory. In
 * MobileNetV2's training step (alpha 0.5, 64x64, batch 64, one thread) the 1x1 convolutions on
 * these maps took 40 ms forward and backward through conv2d, 18-23 through these products (8
 * to 48 channels at 32x32: 9.7 against 4-5 ms). The same products through ND4J's gemm on a
 * slice per sample had paid two array views per call and gained nothing.</li>
 * </ul>
 * On 2x2 and 4x4 maps conv2d is as fast or faster: a product per sample is too small there.
 */
final class PointwiseConvolution {
    /** Maps with at least this many pixels take one product per sample. */
    static final int PER_SAMPLE_MIN_PLANE = 64;
    /** On 1x1 maps a batch above this takes (w . x^T)^T rather than x . w^T. */
    static final int SMALL_BATCH = 8;

    private PointwiseConvolution() {
    }

    static boolean pointwise(int[] kernel, int[] stride, int[] pad, int[] dilation) {
        return kernel[0] == 1 && kernel[1] == 1 && stride[0] == 1 && stride[1] == 1 && pad[0] == 0 && pad[1] == 0
                && dilation[0] == 1 && dilation[1] == 1;
    }

    /** Whether {@link #forward} and {@link #backward} compute this input better than conv2d and conv2d_bp. */
    static boolean applies(INDArray x) {
        long hw = x.size(2) * x.size(3);
        return hw == 1 || hw >= PER_SAMPLE_MIN_PLANE;
    }

    private static INDArray matrix(INDArray a) {
        return a.reshape('c', a.size(0), a.size(1));
    }

    /** out [N, Cout, H, W] = w [Cout, Cin, 1, 1] * x + b. */
    static void forward(INDArray x, INDArray w, INDArray b, INDArray out) {
        INDArray in = PlaneKernels.contiguous(x);
        long hw = in.size(2) * in.size(3);
        if (hw == 1) {
            forwardOnePixel(in, matrix(w), out);
        } else {
            forwardPerSample(in, PlaneKernels.contiguous(w), out);
        }
        if (b != null) {
            out.addi(b.reshape(1, b.length(), 1, 1));
        }
    }

    private static void forwardOnePixel(INDArray in, INDArray w2, INDArray out) {
        INDArray y = matrix(out);
        long n = in.size(0);
        if (n > SMALL_BATCH) {
            // OpenBLAS takes x . w^T with a few rows of x 2-5x slower than (w . x^T)^T: batch 32,
            // 1,024 -> 1,024 channels, 2.4 against 0.7 ms (at 8 rows and fewer the first is faster)
            INDArray t = Nd4j.createUninitialized(DataType.FLOAT, w2.size(0), n);
            Nd4j.gemm(w2, matrix(in), t, false, true, 1.0, 0.0);
            y.assign(t.transpose());
        } else {
            Nd4j.gemm(matrix(in), w2, y, false, true, 1.0, 0.0);
        }
    }

    private static void forwardPerSample(INDArray in, INDArray w, INDArray out) {
        int n = (int) in.size(0), cin = (int) in.size(1), cout = (int) out.size(1), hw = (int) (in.size(2) * in.size(3));
        KernelThreads.split(n, (long) n * cin * cout * hw, (from, to) -> {
            FloatPointer wp = PlaneKernels.pointer(w), xp = PlaneKernels.pointer(in), yp = PlaneKernels.pointer(out);
            for (int i = from; i < to; i++) {
                xp.position((long) i * cin * hw);
                yp.position((long) i * cout * hw);
                cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, cout, hw, cin, 1f, wp, cin, xp, hw, 0f, yp, hw);
            }
        });
    }

    /** The input gradient into dx, the weight and bias gradients into dW and dB (dB may be null). */
    static void backward(INDArray x, INDArray w, INDArray dy, INDArray dx, INDArray dW, INDArray dB) {
        INDArray in = PlaneKernels.contiguous(x), g = PlaneKernels.contiguous(dy);
        if (in.size(2) * in.size(3) == 1) {
            INDArray g2 = matrix(g);
            Nd4j.gemm(g2, matrix(in), matrix(dW), true, false, 1.0, 0.0);
            Nd4j.gemm(g2, matrix(w), matrix(dx), false, false, 1.0, 0.0);
        } else {
            backwardPerSample(in, PlaneKernels.contiguous(w), g, dx, dW);
        }
        if (dB != null) {
            dB.assign(g.sum(0, 2, 3).reshape(dB.shape()));
        }
    }

    /**
     * dx_i = w^T dy_i and dW = sum_i dy_i x_i^T. With several threads each sums its samples'
     * products apart and the parts are added at the end.
     */
    private static void backwardPerSample(INDArray in, INDArray w, INDArray g, INDArray dx, INDArray dW) {
        int n = (int) in.size(0), cin = (int) in.size(1), cout = (int) g.size(1), hw = (int) (in.size(2) * in.size(3));
        float[] total = new float[cout * cin];
        AtomicBoolean split = new AtomicBoolean();
        KernelThreads.split(n, 2L * n * cin * cout * hw, (from, to) -> {
            boolean whole = from == 0 && to == n;
            FloatPointer wp = PlaneKernels.pointer(w), xp = PlaneKernels.pointer(in);
            FloatPointer gp = PlaneKernels.pointer(g), dxp = PlaneKernels.pointer(dx);
            try (FloatPointer own = whole ? null : new FloatPointer((long) cout * cin)) {
                FloatPointer part = whole ? PlaneKernels.pointer(dW) : own;
                for (int i = from; i < to; i++) {
                    xp.position((long) i * cin * hw);
                    gp.position((long) i * cout * hw);
                    dxp.position((long) i * cin * hw);
                    cblas_sgemm(CblasRowMajor, CblasTrans, CblasNoTrans, cin, hw, cout, 1f, wp, cin, gp, hw, 0f, dxp, hw);
                    cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, cout, cin, hw, 1f, gp, hw, xp, hw,
                            i == from ? 0f : 1f, part, cin);
                }
                if (!whole) {
                    float[] p = new float[cout * cin];
                    own.get(p);
                    synchronized (total) {
                        for (int k = 0; k < p.length; k++) {
                            total[k] += p[k];
                        }
                    }
                    split.set(true);
                }
            }
        });
        if (split.get()) {
            PlaneKernels.write(dW, total);
        }
    }
}
