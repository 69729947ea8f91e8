package org.segspark.models.layers;

import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * The Java depthwise kernels (per plane, and channels-last for small planes) against libnd4j's own
 * depthwise_conv2d(_bp) ops: strides 1 and 2, dilation, padding wider than the plane, with and
 * without bias.
 */
class DepthwiseKernelsTest {
    private static void close(INDArray expected, float[] actual, String what) {
        INDArray a = Nd4j.create(actual, expected.shape(), 'c');
        double rel = expected.sub(a).norm2Number().doubleValue() / Math.max(expected.norm2Number().doubleValue(), 1e-30);
        assertTrue(rel < 1e-5, what + ": relative error " + rel);
    }

    @ParameterizedTest(name = "{9}: n={0} c={1} {2}x{3} k={4} s={5} p={6} d={7} bias={8}")
    @CsvSource({"2, 5, 7, 7, 3, 1, 2, 2, false, plane", "3, 4, 9, 8, 3, 2, 4, 4, true, plane", "1, 6, 2, 2, 3, 1, 6, 6, false, plane",
            "2, 3, 10, 10, 5, 1, 4, 2, true, plane", "2, 3, 11, 9, 3, 2, 0, 2, false, plane",
            "2, 5, 7, 7, 3, 1, 2, 2, false, small", "3, 4, 9, 8, 3, 2, 4, 4, true, small", "1, 6, 2, 2, 3, 1, 6, 6, false, small",
            "2, 3, 10, 10, 5, 1, 4, 2, true, small", "2, 3, 11, 9, 3, 2, 0, 2, false, small",
            "4, 70, 1, 1, 3, 1, 1, 1, true, small", "3, 37, 2, 2, 3, 1, 1, 1, false, small", "2, 33, 4, 4, 3, 2, 1, 1, true, small",
            "2, 19, 3, 3, 3, 2, 1, 1, false, small", "2, 24, 2, 2, 3, 1, 2, 2, false, small", "2, 16, 2, 2, 5, 1, 2, 1, true, small",
            "2, 40, 2, 2, 5, 2, 2, 1, true, small", "3, 48, 1, 1, 5, 1, 2, 1, false, small"})
    void matchesLibnd4j(int n, int c, int h, int w, int k, int stride, int pad, int dil, boolean bias, String kernel) {
        boolean small = kernel.equals("small");
        Nd4j.getRandom().setSeed(n * 100 + c * 10 + k);
        INDArray x = Nd4j.randn(DataType.FLOAT, n, c, h, w);
        INDArray wt = Nd4j.randn(DataType.FLOAT, k, k, c, 1);
        INDArray b = bias ? Nd4j.randn(DataType.FLOAT, c) : null;
        DepthwiseKernels.Shape s = new DepthwiseKernels.Shape(n, c, h, w, k, stride, pad, dil);
        int[] args = ConvOps.args(new int[] {k, k}, new int[] {stride, stride}, new int[] {pad, pad}, new int[] {dil, dil});
        INDArray expected = Nd4j.create(DataType.FLOAT, n, c, s.outH(), s.outW());
        ConvOps.exec("depthwise_conv2d", ConvOps.inputs(x, wt, b, null), new INDArray[] {expected}, args);

        INDArray out = Nd4j.create(DataType.FLOAT, n, c, s.outH(), s.outW());
        float[] weights = PlaneKernels.read(wt);
        float[] biases = bias ? PlaneKernels.read(b) : null;
        if (small) {
            SmallPlaneDepthwiseKernels.forward(DenseArrays.buffer(x), weights, biases, DenseArrays.buffer(out), s);
        } else {
            DepthwiseKernels.forward(DenseArrays.buffer(x), weights, biases, DenseArrays.buffer(out), s);
        }
        close(expected, PlaneKernels.read(out), "output");

        INDArray dy = Nd4j.randn(DataType.FLOAT, n, c, s.outH(), s.outW());
        INDArray dxRef = Nd4j.create(DataType.FLOAT, n, c, h, w), dwRef = Nd4j.create(DataType.FLOAT, k, k, c, 1);
        INDArray dbRef = bias ? Nd4j.create(DataType.FLOAT, c) : null;
        ConvOps.exec("depthwise_conv2d_bp", ConvOps.inputs(x, wt, b, dy),
                bias ? new INDArray[] {dxRef, dwRef, dbRef} : new INDArray[] {dxRef, dwRef}, args);
        INDArray dx = Nd4j.create(DataType.FLOAT, n, c, h, w);
        float[] dw = new float[k * k * c], db = bias ? new float[c] : null;
        if (small) {
            SmallPlaneDepthwiseKernels.backward(DenseArrays.buffer(x), weights, DenseArrays.buffer(dy), DenseArrays.buffer(dx), dw, db, s);
        } else {
            DepthwiseKernels.backward(DenseArrays.buffer(x), weights, DenseArrays.buffer(dy), DenseArrays.buffer(dx), dw, db, s);
        }
        close(dxRef, PlaneKernels.read(dx), "input gradient");
        close(dwRef, dw, "weight gradient");
        if (bias) {
            close(dbRef, db, "bias gradient");
        }
    }
}
