package org.segspark.models.layers;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * libnd4j's convolution ops split by sample over the kernel threads against the same op over the
 * whole batch: outputs, input gradients, and weight and bias gradients summed over the parts.
 */
@ExtendWith(TwoKernelThreads.class)
class ConvOpsByBatchTest {
    @ParameterizedTest(name = "{0}: n {1}, c {2}, {3}x{3}, k{4} s{5} bias {6}")
    @CsvSource({"depthwise, 2, 8, 32, 3, 1, false", "depthwise, 5, 16, 25, 3, 2, true", "depthwise, 3, 16, 32, 5, 1, true",
            "conv, 2, 8, 16, 3, 1, true", "conv, 5, 3, 33, 3, 2, false", "deconv, 3, 16, 12, 2, 2, true",
            "deconv, 4, 8, 24, 4, 2, false"})
    void matchesTheWholeBatch(String kind, int n, int c, int size, int k, int s, boolean bias) {
        Nd4j.getRandom().setSeed(n * 100L + c * 10L + size);
        int cout = kind.equals("depthwise") ? c : c + 3;
        int[] kernel = {k, k}, stride = {s, s}, pad = {k / 2, k / 2}, dilation = {1, 1};
        if (kind.equals("deconv")) {
            pad = new int[] {0, 0};
        }
        long out = kind.equals("deconv") ? ConvOps.deconvOut(size, k, s, pad[0], 1) : ConvOps.convOut(size, k, s, pad[0], 1);
        INDArray x = Nd4j.randn(DataType.FLOAT, n, c, size, size);
        INDArray w = switch (kind) {
            case "depthwise" -> Nd4j.randn(DataType.FLOAT, k, k, c, 1);
            case "conv" -> Nd4j.randn(DataType.FLOAT, cout, c, k, k);
            default -> Nd4j.randn(DataType.FLOAT, k, k, cout, c);
        };
        INDArray b = bias ? Nd4j.randn(DataType.FLOAT, cout) : null;
        int[] args = ConvOps.args(kernel, stride, pad, dilation);
        if (kind.equals("conv")) {
            args = ConvOps.with(args, 1);
        }
        String op = switch (kind) {
            case "depthwise" -> "depthwise_conv2d";
            case "conv" -> "conv2d";
            default -> "deconv2d";
        };
        INDArray dy = Nd4j.randn(DataType.FLOAT, n, cout, out, out);
        assertTrue(ConvOps.byBatch(ConvOps.inputs(x, w, b, null)), "split by sample");
        if (!kind.equals("deconv")) {
            INDArray whole = Nd4j.create(DataType.FLOAT, n, cout, out, out), split = whole.ulike();
            ConvOps.exec(op, ConvOps.inputs(x, w, b, null), new INDArray[] {whole}, args);
            ConvOps.execByBatch(op, ConvOps.inputs(x, w, b, null), new INDArray[] {split}, args);
            LayerFidelityTest.assertClose(whole, split, op + " output");
        }
        INDArray[] whole = gradients(x, w, b), split = gradients(x, w, b);
        ConvOps.exec(op + "_bp", ConvOps.inputs(x, w, b, dy), whole, args);
        ConvOps.execByBatch(op + "_bp", ConvOps.inputs(x, w, b, dy), split, args);
        String[] names = {"input gradient", "weight gradient", "bias gradient"};
        for (int i = 0; i < whole.length; i++) {
            LayerFidelityTest.assertClose(whole[i], split[i], op + " " + names[i]);
        }
    }

    private static INDArray[] gradients(INDArray x, INDArray w, INDArray b) {
        INDArray dx = x.ulike(), dW = w.ulike();
        return b == null ? new INDArray[] {dx, dW} : new INDArray[] {dx, dW, b.ulike()};
    }

    @Test
    void weightsLargerThanAQuarterOfTheInputRunWhole() {
        assertTrue(ConvOps.byBatch(new INDArray[] {Nd4j.create(DataType.FLOAT, 4, 32, 16, 16), Nd4j.create(DataType.FLOAT, 3, 3, 32, 1)}));
        assertFalse(ConvOps.byBatch(new INDArray[] {Nd4j.create(DataType.FLOAT, 4, 1024, 4, 4),
                Nd4j.create(DataType.FLOAT, 1024, 1024, 3, 3)}));
        assertFalse(ConvOps.byBatch(new INDArray[] {Nd4j.create(DataType.FLOAT, 1, 32, 16, 16), Nd4j.create(DataType.FLOAT, 3, 3, 32, 1)}),
                "one sample");
    }

    @Test
    void theCallersOpenMpThreadsAreRestored() {
        int own = NativeSpeed.threadsOfThisThread();
        INDArray x = Nd4j.randn(DataType.FLOAT, 4, 8, 10, 10), w = Nd4j.randn(DataType.FLOAT, 3, 3, 8, 1);
        ConvOps.execByBatch("depthwise_conv2d", ConvOps.inputs(x, w, null, null),
                new INDArray[] {Nd4j.create(DataType.FLOAT, 4, 8, 10, 10)}, ConvOps.args(new int[] {3, 3}, new int[] {1, 1},
                        new int[] {1, 1}, new int[] {1, 1}));
        assertEquals(own, NativeSpeed.threadsOfThisThread());
    }
}
