package org.segspark.models.layers;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import org.segspark.models.nd4j.OneDnn;

import org.deeplearning4j.nn.workspace.ArrayType;
import org.deeplearning4j.nn.workspace.LayerWorkspaceMgr;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.DynamicCustomOp;
import org.nd4j.linalg.factory.Nd4j;

/**
 * libnd4j's convolution ops, called directly in NCHW with explicit padding. In the onednn build of
 * nd4j-native these run on oneDNN (conv2d, depthwise_conv2d, deconv2d and their _bp ops).
 */
final class ConvOps {
    private ConvOps() {
    }

    static int[] args(int[] kernel, int[] stride, int[] pad, int[] dilation) {
        return args(kernel, stride, pad, dilation, false);
    }

    /** libnd4j's convolution arguments; with {@code same} it pads TF-style itself (even kernels pad more after). */
    static int[] args(int[] kernel, int[] stride, int[] pad, int[] dilation, boolean same) {
        return new int[] {kernel[0], kernel[1], stride[0], stride[1], same ? 0 : pad[0], same ? 0 : pad[1],
                dilation[0], dilation[1], same ? 1 : 0, 0};
    }

    /** Appends an extra integer argument (conv2d's weight layout flag). */
    static int[] with(int[] args, int extra) {
        int[] a = Arrays.copyOf(args, args.length + 1);
        a[args.length] = extra;
        return a;
    }

    static INDArray[] inputs(INDArray x, INDArray w, INDArray b, INDArray extra) {
        List<INDArray> in = new ArrayList<>(4);
        in.add(x);
        in.add(w);
        if (b != null) {
            in.add(b);
        }
        if (extra != null) {
            in.add(extra);
        }
        return in.toArray(new INDArray[0]);
    }

    static void exec(String op, INDArray[] in, INDArray[] out, int[] iargs) {
        DynamicCustomOp o = DynamicCustomOp.builder(op).addInputs(in).addOutputs(out).addIntegerArguments(iargs)
                .callInplace(false).build();
        if (iargs[6] > 1 || iargs[7] > 1) {
            OneDnn.withoutOneDnn(() -> Nd4j.exec(o));
        } else {
            Nd4j.exec(o);
        }
    }

    static INDArray activations(LayerWorkspaceMgr mgr, long... shape) {
        return mgr.createUninitialized(ArrayType.ACTIVATIONS, DataType.FLOAT, shape, 'c');
    }

    static INDArray gradient(LayerWorkspaceMgr mgr, long... shape) {
        return mgr.createUninitialized(ArrayType.ACTIVATION_GRAD, DataType.FLOAT, shape, 'c');
    }

    /** Output size of a 'Truncate' convolution along one axis. */
    static long convOut(long in, int k, int s, int p, int d) {
        long ek = (long) (k - 1) * d + 1;
        return (in + 2L * p - ek) / s + 1;
    }

    /** Output size of a 'Truncate' transposed convolution along one axis. */
    static long deconvOut(long in, int k, int s, int p, int d) {
        long ek = (long) (k - 1) * d + 1;
        return s * (in - 1) + ek - 2L * p;
    }
}
