package org.segspark.models.layers;

import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.INDArrayIndex;
import org.nd4j.linalg.indexing.NDArrayIndex;

import java.util.Arrays;

/**
 * Dilated stride-1 convolutions as one matrix product per kernel tap and sample: the output is the
 * sum over taps of W[:, :, ky, kx] x (the input shifted by the tap's offset, zero outside). libnd4j's
 * oneDNN path fails on dilated conv2d, and its generic path (im2col) took 8 ms per ASPP branch of
 * DeepLabV3+ at 128x128, batch 4 (320 -> 256 channels on 8x8 maps). Taps whose offset leaves the map
 * touch only padding and are skipped: at rates 12 and 18 on an 8x8 map only the centre tap is left.
 */
final class DilatedConvolution {
    private DilatedConvolution() {
    }

    /** Whether this convolution is one {@link DilatedConvolution} computes: dilated, stride 1. */
    static boolean applies(int[] stride, int[] dilation) {
        return stride[0] == 1 && stride[1] == 1 && (dilation[0] > 1 || dilation[1] > 1);
    }

    /** The padding before each axis: as given, or for 'Same' at stride 1 half the dilated kernel's reach, rounded down as libnd4j does. */
    static int[] padBefore(int[] k, int[] pad, int[] d, boolean same) {
        return same ? new int[] {(k[0] - 1) * d[0] / 2, (k[1] - 1) * d[1] / 2} : pad;
    }

    /** One tap: its output rows and columns [y0, y1) x [x0, x1) read input rows and columns shifted by (dy, dx). */
    private record Tap(int ky, int kx, int dy, int dx, int y0, int y1, int x0, int x1) {
        boolean whole(long h, long w, long oh, long ow) {
            return dy == 0 && dx == 0 && h == oh && w == ow;
        }
    }

    private static Tap[] taps(long h, long w, long oh, long ow, int[] k, int[] pad, int[] d) {
        Tap[] taps = new Tap[k[0] * k[1]];
        int n = 0;
        for (int ky = 0; ky < k[0]; ky++) {
            for (int kx = 0; kx < k[1]; kx++) {
                int dy = ky * d[0] - pad[0], dx = kx * d[1] - pad[1];
                int y0 = Math.max(0, -dy), y1 = (int) Math.min(oh, h - dy);
                int x0 = Math.max(0, -dx), x1 = (int) Math.min(ow, w - dx);
                if (y0 < y1 && x0 < x1) {
                    taps[n++] = new Tap(ky, kx, dy, dx, y0, y1, x0, x1);
                }
            }
        }
        return Arrays.copyOf(taps, n);
    }

    private static INDArrayIndex[] region(int y0, int y1, int x0, int x1) {
        return new INDArrayIndex[] {NDArrayIndex.all(), NDArrayIndex.all(), NDArrayIndex.interval(y0, y1),
                NDArrayIndex.interval(x0, x1)};
    }

    /** The input as the tap sees it, on the output's grid. */
    private static INDArray shifted(INDArray x, Tap t, long oh, long ow) {
        if (t.whole(x.size(2), x.size(3), oh, ow)) {
            return x;
        }
        INDArray s = Nd4j.zeros(x.dataType(), x.size(0), x.size(1), oh, ow);
        s.get(region(t.y0(), t.y1(), t.x0(), t.x1()))
                .assign(x.get(region(t.y0() + t.dy(), t.y1() + t.dy(), t.x0() + t.dx(), t.x1() + t.dx())));
        return s;
    }

    private static INDArray weights(INDArray w, Tap t) {
        return w.get(NDArrayIndex.all(), NDArrayIndex.all(), NDArrayIndex.point(t.ky()), NDArrayIndex.point(t.kx()))
                .dup('c');
    }

    private static INDArray plane(INDArray a, int sample) {
        return a.slice(sample).reshape('c', a.size(1), a.size(2) * a.size(3));
    }

    /** out [N, Cout, OH, OW] = conv(x [N, Cin, H, W], w [Cout, Cin, kH, kW]) + b, padding {@code pad} before each axis. */
    static void forward(INDArray x, INDArray w, INDArray b, INDArray out, int[] k, int[] pad, int[] d) {
        INDArray in = DenseArrays.contiguous(x);
        long oh = out.size(2), ow = out.size(3);
        out.assign(0);
        for (Tap t : taps(in.size(2), in.size(3), oh, ow, k, pad, d)) {
            INDArray s = shifted(in, t, oh, ow);
            INDArray wt = weights(w, t);
            for (int i = 0; i < in.size(0); i++) {
                Nd4j.gemm(wt, plane(s, i), plane(out, i), false, false, 1.0, 1.0);
            }
        }
        if (b != null) {
            out.addi(b.reshape(1, b.length(), 1, 1));
        }
    }

    /** The input gradient into dx and the weight and bias gradients into dW and dB (dB may be null). */
    static void backward(INDArray x, INDArray w, INDArray dy, INDArray dx, INDArray dW, INDArray dB, int[] k, int[] pad,
                         int[] d) {
        INDArray in = DenseArrays.contiguous(x);
        INDArray g = DenseArrays.contiguous(dy);
        long oh = g.size(2), ow = g.size(3), cin = in.size(1);
        dx.assign(0);
        dW.assign(0);
        for (Tap t : taps(in.size(2), in.size(3), oh, ow, k, pad, d)) {
            INDArray s = shifted(in, t, oh, ow);
            INDArray wt = weights(w, t);
            INDArray dWt = Nd4j.zeros(in.dataType(), wt.size(0), wt.size(1));
            INDArray ds = Nd4j.createUninitialized(in.dataType(), in.size(0), cin, oh, ow);
            for (int i = 0; i < in.size(0); i++) {
                Nd4j.gemm(plane(g, i), plane(s, i), dWt, false, true, 1.0, 1.0);
                Nd4j.gemm(wt, plane(g, i), plane(ds, i), true, false, 1.0, 0.0);
            }
            dW.get(NDArrayIndex.all(), NDArrayIndex.all(), NDArrayIndex.point(t.ky()), NDArrayIndex.point(t.kx()))
                    .assign(dWt);
            dx.get(region(t.y0() + t.dy(), t.y1() + t.dy(), t.x0() + t.dx(), t.x1() + t.dx()))
                    .addi(ds.get(region(t.y0(), t.y1(), t.x0(), t.x1())));
        }
        if (dB != null) {
            dB.assign(g.sum(0, 2, 3).reshape(dB.shape()));
        }
    }
}
