package org.segspark.models.layers;

import org.deeplearning4j.nn.workspace.LayerWorkspaceMgr;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The backward pass without Winograd against libnd4j's conv2d_bp, over the geometries of stride-1 convolutions. */
class UnfoldedConvolutionTest {
    @ParameterizedTest(name = "n {0}, {1} -> {2}, {3}x{4}, k{5} pad {6} same {7} bias {8}")
    @CsvSource({
            "4, 304, 256, 8, 8, 3, 1, false, true",   // DeepLabV3+'s decoder at 32x32 input
            "4, 256, 256, 4, 4, 3, 1, false, false",
            "3, 5, 7, 7, 9, 3, 1, false, true",       // non-square
            "3, 5, 7, 7, 9, 5, 2, false, false",      // a wider kernel
            "2, 6, 4, 6, 5, 3, 0, false, true",       // no padding: a smaller output
            "2, 6, 4, 6, 5, 3, 0, true, false",       // 'Same'
            "2, 6, 4, 7, 8, 5, 0, true, true"})
    void matchesLibnd4j(int n, int cin, int cout, int h, int w, int k, int p, boolean same, boolean bias) {
        Nd4j.getRandom().setSeed(cin * 31L + h * 7L + k);
        int s = 1;
        int[] kernel = {k, k}, stride = {s, s}, pad = {p, p}, dilation = {1, 1};
        long oh = same ? (h + s - 1) / s : ConvOps.convOut(h, k, s, p, 1);
        long ow = same ? (w + s - 1) / s : ConvOps.convOut(w, k, s, p, 1);
        INDArray x = Nd4j.randn(DataType.FLOAT, n, cin, h, w);
        INDArray wt = Nd4j.randn(DataType.FLOAT, cout, cin, k, k);
        INDArray b = bias ? Nd4j.randn(DataType.FLOAT, cout) : null;
        INDArray dy = Nd4j.randn(DataType.FLOAT, n, cout, oh, ow);
        int[] args = ConvOps.with(ConvOps.args(kernel, stride, pad, dilation, same), 1);

        INDArray dx = Nd4j.create(DataType.FLOAT, n, cin, h, w), dW = Nd4j.create(DataType.FLOAT, cout, cin, k, k);
        INDArray dB = Nd4j.create(DataType.FLOAT, cout);
        ConvOps.exec("conv2d_bp", ConvOps.inputs(x, wt, b, dy), bias ? new INDArray[] {dx, dW, dB} : new INDArray[] {dx, dW}, args);
        // gradients already holding values: the products must overwrite them
        INDArray dx2 = Nd4j.create(DataType.FLOAT, n, cin, h, w).assign(7), dW2 = Nd4j.create(DataType.FLOAT, cout, cin, k, k).assign(7);
        INDArray dB2 = Nd4j.create(DataType.FLOAT, cout).assign(7);
        UnfoldedConvolution.backward(x, wt, dy, dx2, dW2, bias ? dB2 : null, kernel, pad, same,
                LayerWorkspaceMgr.noWorkspaces());
        close("input gradient", dx, dx2);
        close("weight gradient", dW, dW2);
        if (bias) {
            close("bias gradient", dB, dB2);
        }
    }

    @Test
    void takesWinogradsCasesOnMapsUpTo16x16() {
        int[] k3 = {3, 3}, k1 = {1, 1}, one = {1, 1}, two = {2, 2};
        assertTrue(UnfoldedConvolution.applies(k3, one, one, 4, 304, 256, 64));
        assertTrue(UnfoldedConvolution.applies(k3, one, one, 16, 1024, 1024, 64));
        assertFalse(UnfoldedConvolution.applies(k3, one, one, 2, 256, 256, 64), "oneDNN's direct kernel at batch 2");
        assertFalse(UnfoldedConvolution.applies(k3, one, one, 64, 128, 128, 64), "direct below 256 channels");
        assertFalse(UnfoldedConvolution.applies(k3, one, one, 4, 512, 128, 64));
        assertFalse(UnfoldedConvolution.applies(k3, two, one, 4, 512, 512, 64), "stride 2");
        assertFalse(UnfoldedConvolution.applies(k3, one, two, 4, 512, 512, 64), "dilated");
        assertFalse(UnfoldedConvolution.applies(k1, one, one, 4, 512, 512, 64), "1x1");
        assertTrue(UnfoldedConvolution.applies(k3, one, one, 4, 512, 512, 16 * 16));
        assertFalse(UnfoldedConvolution.applies(k3, one, one, 4, 304, 256, 32 * 32), "Winograd on 32x32 maps");
    }

    private static void close(String what, INDArray expected, INDArray actual) {
        double scale = Math.max(1, expected.amaxNumber().doubleValue());
        double err = expected.sub(actual).amaxNumber().doubleValue();
        assertTrue(err < 1e-4 * scale, what + ": largest difference " + err + " (scale " + scale + ")");
    }
}
