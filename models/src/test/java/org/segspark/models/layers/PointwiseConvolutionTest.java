package org.segspark.models.layers;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The matrix-product paths for 1x1 convolutions against libnd4j's conv2d(_bp), with and without
 * bias and on a strided (NHWC-permuted) input: 1x1 maps as one product (batches of at most 8 and
 * above), larger maps (2x2 up) as a product per sample, on one thread and split over two.
 */
class PointwiseConvolutionTest {
    private static void close(INDArray expected, INDArray actual, String what) {
        double rel = expected.sub(actual).norm2Number().doubleValue() / Math.max(expected.norm2Number().doubleValue(), 1e-30);
        assertTrue(rel < 1e-5, what + ": relative error " + rel);
    }

    @ParameterizedTest(name = "n={0} {1}->{2} {3}x{4} bias={5} strided input={6} threads={7}")
    @CsvSource({"3, 7, 5, 1, 1, true, false, 1", "4, 9, 6, 16, 16, false, false, 1", "2, 5, 8, 17, 20, true, false, 1",
            "5, 12, 7, 1, 1, false, true, 1", "2, 6, 10, 16, 16, true, true, 1",
            "32, 40, 24, 1, 1, true, false, 1", "17, 12, 9, 1, 1, false, true, 1",
            "7, 8, 48, 32, 32, false, false, 2", "5, 24, 16, 8, 8, true, true, 2", "1, 16, 96, 9, 9, false, false, 2",
            "4, 24, 40, 2, 2, true, true, 1", "3, 20, 12, 4, 4, false, false, 2", "2, 9, 30, 7, 7, true, false, 1",
            "6, 16, 8, 3, 5, true, true, 2", "1, 5, 7, 1, 2, false, false, 1"})
    void matchesLibnd4j(int n, int cin, int cout, int h, int w, boolean bias, boolean strided, int threads) {
        int before = KernelThreads.get();
        KernelThreads.set(threads);
        try {
            compare(n, cin, cout, h, w, bias, strided);
        } finally {
            KernelThreads.set(before);
        }
    }

    /**
     * On maps of 2x2 and up a sample's output and input gradient are bit for bit the same whatever
     * its batch (a decoder trained on cached encoder outputs relies on it).
     */
    @ParameterizedTest(name = "{0}->{1} {2}x{2}")
    @CsvSource({"96, 576, 2", "576, 160, 2", "64, 384, 4", "24, 40, 7", "160, 960, 3"})
    void aSamplesResultDoesNotDependOnItsBatch(int cin, int cout, int size) {
        Nd4j.getRandom().setSeed(cin + cout);
        INDArray x = Nd4j.randn(DataType.FLOAT, 9, cin, size, size), dy = Nd4j.randn(DataType.FLOAT, 9, cout, size, size);
        INDArray wt = Nd4j.randn(DataType.FLOAT, cout, cin, 1, 1);
        INDArray y = Nd4j.create(DataType.FLOAT, 9, cout, size, size), dx = Nd4j.create(DataType.FLOAT, 9, cin, size, size);
        PointwiseConvolution.forward(x, wt, null, y);
        PointwiseConvolution.backward(x, wt, dy, dx, Nd4j.create(DataType.FLOAT, cout, cin, 1, 1), null);
        for (int i : new int[] {0, 5, 8}) {
            INDArray xi = x.get(NDArrayIndex.interval(i, i + 1)).dup('c'), dyi = dy.get(NDArrayIndex.interval(i, i + 1)).dup('c');
            INDArray yi = Nd4j.create(DataType.FLOAT, 1, cout, size, size), dxi = Nd4j.create(DataType.FLOAT, 1, cin, size, size);
            PointwiseConvolution.forward(xi, wt, null, yi);
            PointwiseConvolution.backward(xi, wt, dyi, dxi, Nd4j.create(DataType.FLOAT, cout, cin, 1, 1), null);
            assertEquals(y.get(NDArrayIndex.interval(i, i + 1)), yi, "output of sample " + i);
            assertEquals(dx.get(NDArrayIndex.interval(i, i + 1)), dxi, "input gradient of sample " + i);
        }
    }

    private static void compare(int n, int cin, int cout, int h, int w, boolean bias, boolean strided) {
        Nd4j.getRandom().setSeed(n * 1000 + cin * 10 + cout);
        INDArray x = strided ? Nd4j.randn(DataType.FLOAT, n, h, w, cin).permute(0, 3, 1, 2) : Nd4j.randn(DataType.FLOAT, n, cin, h, w);
        INDArray wt = Nd4j.randn(DataType.FLOAT, cout, cin, 1, 1);
        INDArray b = bias ? Nd4j.randn(DataType.FLOAT, 1, cout) : null;
        int[] one = {1, 1}, zero = {0, 0};
        assertTrue(PointwiseConvolution.pointwise(one, one, zero, one));
        int[] args = ConvOps.with(ConvOps.args(one, one, zero, one), 1);
        INDArray expected = Nd4j.create(DataType.FLOAT, n, cout, h, w);
        ConvOps.exec("conv2d", ConvOps.inputs(x.dup('c'), wt, bias ? b.reshape(cout) : null, null), new INDArray[] {expected}, args);
        INDArray out = Nd4j.create(DataType.FLOAT, n, cout, h, w);
        PointwiseConvolution.forward(x, wt, b, out);
        close(expected, out, "output");

        INDArray dy = Nd4j.randn(DataType.FLOAT, n, cout, h, w);
        INDArray dxRef = Nd4j.create(DataType.FLOAT, n, cin, h, w), dwRef = Nd4j.create(DataType.FLOAT, cout, cin, 1, 1);
        INDArray dbRef = bias ? Nd4j.create(DataType.FLOAT, cout) : null;
        ConvOps.exec("conv2d_bp", ConvOps.inputs(x.dup('c'), wt, bias ? b.reshape(cout) : null, dy),
                bias ? new INDArray[] {dxRef, dwRef, dbRef} : new INDArray[] {dxRef, dwRef}, args);
        INDArray dx = Nd4j.create(DataType.FLOAT, n, cin, h, w), dw = Nd4j.create(DataType.FLOAT, cout, cin, 1, 1);
        INDArray db = bias ? Nd4j.create(DataType.FLOAT, 1, cout) : null;
        PointwiseConvolution.backward(x, wt, dy, dx, dw, db);
        close(dxRef, dx, "input gradient");
        close(dwRef, dw, "weight gradient");
        if (bias) {
            close(dbRef, db.reshape(cout), "bias gradient");
        }
    }
}
