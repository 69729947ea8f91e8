package org.segspark.models.layers;

import org.bytedeco.javacpp.FloatPointer;
import org.deeplearning4j.nn.workspace.ArrayType;
import org.deeplearning4j.nn.workspace.LayerWorkspaceMgr;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.DynamicCustomOp;
import org.nd4j.linalg.factory.Nd4j;

import static org.bytedeco.openblas.global.openblas_nolapack.CblasNoTrans;
import static org.bytedeco.openblas.global.openblas_nolapack.CblasRowMajor;
import static org.bytedeco.openblas.global.openblas_nolapack.CblasTrans;
import static org.bytedeco.openblas.global.openblas_nolapack.cblas_sgemm;

/**
 * The backward pass of a stride-1 convolution without Winograd. libnd4j's conv2d_bp lets oneDNN
 * choose the algorithm, and for 3x3 convolutions with 256 channels and more at batch 4 and above
 * oneDNN takes Winograd for the weight gradient, which is slow here at every map size (4 x 256 ->
 * 256 channels on 32x32 maps: 55-63 ms for the weight gradient against 13 for the input gradient).
 * Instead the input gradient is the transposed convolution of dy (libnd4j's deconv2d, which runs
 * oneDNN's direct backward-data kernel, the one conv2d_bp uses: the same values), and the weight
 * gradient is dW = sum_i dy_i cols_i^T over the samples' unfolded inputs (libnd4j's im2col), one
 * matrix product per sample, split by output channel over the threads.
 * <p>
 * Measured on one 2-core AVX-512 machine (conv2d_bp against these three ops, ms; runs minutes
 * apart differed by up to 3x on the small cases):
 * <pre>
 *   batch, channels, map     conv2d_bp   here
 *   4, 304 -> 256, 8x8         42-63        8.2   DeepLabV3+'s decoder at 32x32 input
 *   4, 304 -> 256, 32x32       133         72     the same at 128x128
 *   4, 1024, 4x4               568-756     96     U-Net's bottom at 64x64 input
 *   4, 512, 16x16              160-181     50
 *   16, 512, 8x8               215-251     47
 *   4, 256, 64x64              377        243
 *   4, 128, 64x64               43         64     oneDNN's direct kernels: not taken
 *   64, 32, 16x16               6-10       21     not taken
 * </pre>
 * On 32x32 maps and larger, Winograd won once libnd4j's ops stopped sharing the cores with
 * segspark's kernel threads (ConvOps.execByBatch): conv2d_bp 30-35 ms against 65-71 here for the
 * 32x32 rows above (one call, two threads), and DeepLabV3+'s training step at 128x128 took 171
 * against 204 ms (medians after the JIT settled) with its 32x32 decoder on conv2d_bp.
 */
final class UnfoldedConvolution {
    private UnfoldedConvolution() {
    }

    /** Output maps up to this many pixels (16x16); on larger maps Winograd's weight gradient was faster. */
    static final long MAX_PLANE = 256;

    /**
     * Whether {@link #backward} computes this convolution's gradients better than conv2d_bp: 3x3,
     * stride 1, undilated, with 256 channels and more in and out, at batch 4 and above (where oneDNN
     * takes Winograd; at batch 2 it took its direct kernel), on output maps of at most
     * {@link #MAX_PLANE} pixels.
     */
    static boolean applies(int[] kernel, int[] stride, int[] dilation, long batch, long in, long out, long plane) {
        return kernel[0] == 3 && kernel[1] == 3 && stride[0] == 1 && stride[1] == 1 && dilation[0] == 1
                && dilation[1] == 1 && batch >= 4 && Math.min(in, out) >= 256 && plane <= MAX_PLANE;
    }

    /**
     * The input gradient into dx, the weight and bias gradients into dW and dB (dB may be null), of
     * the stride-1 undilated convolution with these kernel, padding and mode ('Same' with odd
     * kernels); the unfolded input lives in {@code mgr}'s backprop working memory.
     */
    static void backward(INDArray x, INDArray w, INDArray dy, INDArray dx, INDArray dW, INDArray dB, int[] kernel,
                         int[] pad, boolean same, LayerWorkspaceMgr mgr) {
        if (same && (kernel[0] % 2 == 0 || kernel[1] % 2 == 0)) {
            throw new IllegalArgumentException("'Same' with an even kernel pads unevenly: " + kernel[0] + "x" + kernel[1]);
        }
        int[] one = {1, 1};
        int[] args = ConvOps.args(kernel, one, pad, one, same);
        INDArray in = DenseArrays.contiguous(x), g = DenseArrays.contiguous(dy);
        Nd4j.exec(DynamicCustomOp.builder("deconv2d").addInputs(g, w.permute(2, 3, 1, 0)).addOutputs(dx)
                .addIntegerArguments(args).callInplace(false).build());

        int n = (int) in.size(0), cout = (int) g.size(1), rows = (int) (in.size(1) * kernel[0] * kernel[1]);
        int plane = (int) (g.size(2) * g.size(3));
        INDArray cols = mgr.createUninitialized(ArrayType.BP_WORKING_MEM, DataType.FLOAT,
                new long[] {n, in.size(1), kernel[0], kernel[1], g.size(2), g.size(3)}, 'c');
        // im2col's own 'Same' mode pads otherwise than conv2d's; at stride 1 with an odd kernel,
        // 'Same' is (k - 1) / 2 on each side
        int padY = same ? (kernel[0] - 1) / 2 : pad[0], padX = same ? (kernel[1] - 1) / 2 : pad[1];
        Nd4j.exec(DynamicCustomOp.builder("im2col").addInputs(in).addOutputs(cols)
                .addIntegerArguments(kernel[0], kernel[1], 1, 1, padY, padX, 1, 1, 0)
                .addFloatingPointArguments(0.0).callInplace(false).build());
        KernelThreads.split(cout, 2L * cout * rows * plane * n, (from, to) -> {
            FloatPointer cp = PlaneKernels.pointer(cols), gp = PlaneKernels.pointer(g);
            FloatPointer wp = PlaneKernels.pointer(dW).position((long) from * rows);
            for (int i = 0; i < n; i++) {
                cp.position((long) i * rows * plane);
                gp.position(((long) i * cout + from) * plane);
                cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, to - from, rows, plane, 1f, gp, plane, cp, plane,
                        i == 0 ? 0f : 1f, wp, rows);
            }
        });
        if (dB != null) {
            dB.assign(g.sum(0, 2, 3).reshape(dB.shape()));
        }
    }
}
