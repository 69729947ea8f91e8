package org.segspark.models.layers;

import org.bytedeco.javacpp.FloatPointer;
import org.nd4j.linalg.api.ndarray.INDArray;

import java.nio.FloatBuffer;
import java.util.Map;
import java.util.concurrent.ConcurrentSkipListMap;

import static org.bytedeco.openblas.global.openblas_nolapack.CblasColMajor;
import static org.bytedeco.openblas.global.openblas_nolapack.CblasNoTrans;
import static org.bytedeco.openblas.global.openblas_nolapack.CblasRowMajor;
import static org.bytedeco.openblas.global.openblas_nolapack.CblasTrans;
import static org.bytedeco.openblas.global.openblas_nolapack.cblas_saxpy;
import static org.bytedeco.openblas.global.openblas_nolapack.cblas_sgemm;

/**
 * 1x1 convolutions with stride 1 as matrix products called straight into OpenBLAS on the tensors'
 * memory, where libnd4j's conv2d ops on oneDNN are slow (they set up a primitive and reorder the
 * tensors to a blocked layout and back on every call) and ND4J's own gemm pays array views and a
 * broadcast op for the bias:
 * <ul>
 * <li>on 1x1 maps, forward and backward, as one product over the batch: the tensor [N, C, 1, 1]
 * is already the matrix [N, C]. Batch 32, 1,024 -> 1,024 channels: 0.7 + 0.8 ms against conv2d's
 * 2.5 + 3.0 ms. The bias and its gradient are plain Java loops: in MobileNetV3-Small at 32x32
 * (batch 4, its squeeze-and-excite convolutions) ND4J's gemm and broadcast ops took 3.8 + 6.1 ms
 * per step for these 24 layers, the direct calls 1.3 + 2.0;</li>
 * <li>on larger maps, one product per sample on the NCHW tensor as it is
 * ([Cout, Cin] x [Cin, H*W]). In MobileNetV2's training step (alpha 0.5, 64x64, batch 64, one
 * thread) the 1x1 convolutions on maps of 8x8 and larger took 40 ms forward and backward through
 * conv2d, 18-23 through these products (8 to 48 channels at 32x32: 9.7 against 4-5 ms). The same
 * products through ND4J's gemm on a slice per sample had paid two array views per call and gained
 * nothing. On 2x2 and 4x4 maps they replace conv2d too: MobileNetV3-Small's step at 32x32 (batch
 * 4) went from 43.7 to 25.3 ms with these, the 1x1-map calls above and the depthwise forward
 * passes on small planes in Java. One product over the whole
 * batch on a transposed copy was faster still there (21.8 ms), but OpenBLAS then rounded a
 * sample's columns differently with the batch's size and the sample's place in it (small-matrix
 * kernels, thread splits), and a decoder trained on cached encoder outputs drifted away from the
 * plain run's: a sample's result must not depend on its batch.</li>
 * </ul>
 */
final class PointwiseConvolution {
    /** On 1x1 maps a batch above this takes (w . x^T)^T rather than x . w^T. */
    static final int SMALL_BATCH = 8;

    private PointwiseConvolution() {
    }

    static boolean pointwise(int[] kernel, int[] stride, int[] pad, int[] dilation) {
        return kernel[0] == 1 && kernel[1] == 1 && stride[0] == 1 && stride[1] == 1 && pad[0] == 0 && pad[1] == 0
                && dilation[0] == 1 && dilation[1] == 1;
    }

    /** out [N, Cout, H, W] = w [Cout, Cin, 1, 1] * x + b. */
    static void forward(INDArray x, INDArray w, INDArray b, INDArray out) {
        INDArray in = DenseArrays.contiguous(x), wc = DenseArrays.contiguous(w);
        long hw = in.size(2) * in.size(3);
        if (hw == 1) {
            forwardOnePixel(in, wc, out);
        } else {
            forwardPerSample(in, wc, out);
        }
        if (b != null) {
            addBias(PlaneKernels.denseBuffer(out), (int) out.size(0), (int) out.size(1), (int) hw, PlaneKernels.read(b));
        }
    }

    private static void forwardOnePixel(INDArray in, INDArray w, INDArray out) {
        int n = (int) in.size(0), cin = (int) in.size(1), cout = (int) out.size(1);
        FloatPointer xp = PlaneKernels.pointer(in), wp = PlaneKernels.pointer(w), yp = PlaneKernels.pointer(out);
        if (n > SMALL_BATCH) {
            // OpenBLAS takes x . w^T with a few rows of x 2-5x slower than (w . x^T)^T: batch 32,
            // 1,024 -> 1,024 channels, 2.4 against 0.7 ms (at 8 rows and fewer the first is faster);
            // y^T [cout, n] = w . x^T is y in column-major order
            cblas_sgemm(CblasColMajor, CblasTrans, CblasNoTrans, cout, n, cin, 1f, wp, cin, xp, cin, 0f, yp, cout);
        } else {
            cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, n, cout, cin, 1f, xp, cin, wp, cin, 0f, yp, cout);
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
        INDArray in = DenseArrays.contiguous(x), g = DenseArrays.contiguous(dy), wc = DenseArrays.contiguous(w);
        if (in.size(2) * in.size(3) == 1) {
            int n = (int) in.size(0), cin = (int) in.size(1), cout = (int) g.size(1);
            FloatPointer xp = PlaneKernels.pointer(in), wp = PlaneKernels.pointer(wc);
            FloatPointer gp = PlaneKernels.pointer(g);
            cblas_sgemm(CblasRowMajor, CblasTrans, CblasNoTrans, cout, cin, n, 1f, gp, cout, xp, cin, 0f,
                    PlaneKernels.pointer(dW), cin);
            cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, n, cin, cout, 1f, gp, cout, wp, cin, 0f,
                    PlaneKernels.pointer(dx), cin);
        } else {
            backwardPerSample(in, wc, g, dx, dW);
        }
        if (dB != null) {
            PlaneKernels.write(dB, biasGradient(PlaneKernels.denseBuffer(g), (int) g.size(0), (int) g.size(1),
                    (int) (g.size(2) * g.size(3))));
        }
    }

    /**
     * dx_i = w^T dy_i and dW = sum_i dy_i x_i^T. With several threads the calling thread sums its
     * samples' products straight into dW, every other thread into a buffer of its own, added to dW
     * afterwards in the order of the samples (so a run repeats itself bit for bit).
     */
    private static void backwardPerSample(INDArray in, INDArray w, INDArray g, INDArray dx, INDArray dW) {
        int n = (int) in.size(0), cin = (int) in.size(1), cout = (int) g.size(1), hw = (int) (in.size(2) * in.size(3));
        Map<Integer, FloatPointer> parts = new ConcurrentSkipListMap<>();
        try {
            KernelThreads.split(n, 2L * n * cin * cout * hw, (from, to) -> {
                FloatPointer wp = PlaneKernels.pointer(w), xp = PlaneKernels.pointer(in);
                FloatPointer gp = PlaneKernels.pointer(g), dxp = PlaneKernels.pointer(dx);
                FloatPointer part = from == 0 ? PlaneKernels.pointer(dW) : new FloatPointer((long) cout * cin);
                if (from != 0) {
                    parts.put(from, part);
                }
                for (int i = from; i < to; i++) {
                    xp.position((long) i * cin * hw);
                    gp.position((long) i * cout * hw);
                    dxp.position((long) i * cin * hw);
                    cblas_sgemm(CblasRowMajor, CblasTrans, CblasNoTrans, cin, hw, cout, 1f, wp, cin, gp, hw, 0f, dxp, hw);
                    cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, cout, cin, hw, 1f, gp, hw, xp, hw,
                            i == from ? 0f : 1f, part, cin);
                }
            });
            FloatPointer total = PlaneKernels.pointer(dW);
            for (FloatPointer part : parts.values()) {
                cblas_saxpy(cout * cin, 1f, part, 1, total, 1);
            }
        } finally {
            parts.values().forEach(FloatPointer::close);
        }
    }

    /** out[i, ch, p] += b[ch] over the NCHW tensor [n, c, hw]. */
    private static void addBias(FloatBuffer out, int n, int c, int hw, float[] b) {
        float[] run = new float[c * hw];
        for (int i = 0; i < n; i++) {
            out.get(i * c * hw, run, 0, run.length);
            for (int ch = 0; ch < c; ch++) {
                float v = b[ch];
                for (int p = ch * hw, end = p + hw; p < end; p++) {
                    run[p] += v;
                }
            }
            out.put(i * c * hw, run, 0, run.length);
        }
    }

    /** The sum of g [n, c, hw] over samples and pixels, per channel, summed in double. */
    private static float[] biasGradient(FloatBuffer g, int n, int c, int hw) {
        float[] run = new float[c * hw];
        double[] sums = new double[c];
        for (int i = 0; i < n; i++) {
            g.get(i * c * hw, run, 0, run.length);
            for (int ch = 0; ch < c; ch++) {
                sums[ch] += BatchNormKernels.sum(run, ch * hw, hw);
            }
        }
        float[] out = new float[c];
        for (int ch = 0; ch < c; ch++) {
            out[ch] = (float) sums[ch];
        }
        return out;
    }
}
