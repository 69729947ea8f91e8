package org.segspark.models.layers;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import static org.junit.jupiter.api.Assertions.assertTrue;

/** The per-tap dilated convolution against libnd4j's conv2d and conv2d_bp (generic path), both directions. */
class DilatedConvolutionTest {
    @ParameterizedTest(name = "{0}x{1} k{2} dilation {3} pad {4} same {5} bias {6}")
    @CsvSource({
            "8, 8, 3, 6, 6, false, false",     // DeepLabV3+'s ASPP at 128x128: every tap partly inside
            "8, 8, 3, 12, 12, false, false",   // only the centre tap inside
            "8, 8, 3, 18, 18, false, true",
            "2, 2, 3, 6, 6, false, false",     // ASPP at 32x32
            "7, 9, 5, 2, 4, false, true",      // non-square, wider kernel
            "7, 9, 3, 2, 1, false, false",     // padding short of the reach: a smaller output
            "6, 5, 3, 3, 0, true, true",       // 'Same'
            "6, 5, 4, 2, 0, true, false"})     // 'Same' with an even kernel pads more after
    void matchesLibnd4j(int h, int w, int k, int d, int p, boolean same, boolean bias) {
        Nd4j.getRandom().setSeed(h * 31 + k * 7 + d);
        int n = 3, cin = 5, cout = 4;
        int[] kernel = {k, k}, stride = {1, 1}, pad = {p, p}, dilation = {d, d};
        long oh = same ? h : ConvOps.convOut(h, k, 1, p, d), ow = same ? w : ConvOps.convOut(w, k, 1, p, d);
        INDArray x = Nd4j.randn(DataType.FLOAT, n, cin, h, w);
        INDArray wt = Nd4j.randn(DataType.FLOAT, cout, cin, k, k);
        INDArray b = bias ? Nd4j.randn(DataType.FLOAT, cout) : null;
        INDArray dy = Nd4j.randn(DataType.FLOAT, n, cout, oh, ow);
        int[] args = ConvOps.with(ConvOps.args(kernel, stride, pad, dilation, same), 1);

        INDArray expected = Nd4j.create(DataType.FLOAT, n, cout, oh, ow);
        ConvOps.exec("conv2d", ConvOps.inputs(x, wt, b, null), new INDArray[] {expected}, args);
        INDArray actual = Nd4j.create(DataType.FLOAT, n, cout, oh, ow);
        int[] before = DilatedConvolution.padBefore(kernel, pad, dilation, same);
        DilatedConvolution.forward(x, wt, b, actual, kernel, before, dilation);
        close("output", expected, actual);

        INDArray dx = Nd4j.create(DataType.FLOAT, n, cin, h, w), dW = Nd4j.create(DataType.FLOAT, cout, cin, k, k);
        INDArray dB = Nd4j.create(DataType.FLOAT, cout);
        ConvOps.exec("conv2d_bp", ConvOps.inputs(x, wt, b, dy), bias ? new INDArray[] {dx, dW, dB} : new INDArray[] {dx, dW}, args);
        INDArray dx2 = Nd4j.create(DataType.FLOAT, n, cin, h, w).assign(7), dW2 = Nd4j.create(DataType.FLOAT, cout, cin, k, k).assign(7);
        INDArray dB2 = Nd4j.create(DataType.FLOAT, cout);
        DilatedConvolution.backward(x, wt, dy, dx2, dW2, bias ? dB2 : null, kernel, before, dilation);
        close("input gradient", dx, dx2);
        close("weight gradient", dW, dW2);
        if (bias) {
            close("bias gradient", dB, dB2);
        }
    }

    private static void close(String what, INDArray expected, INDArray actual) {
        double scale = Math.max(1, expected.amaxNumber().doubleValue());
        double err = expected.sub(actual).amaxNumber().doubleValue();
        assertTrue(err < 1e-5 * scale * 10, what + ": largest difference " + err + " (scale " + scale + ")");
    }
}
