package org.segspark.models.layers;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentSkipListMap;

import org.segspark.models.nd4j.OneDnn;

import org.deeplearning4j.nn.workspace.ArrayType;
import org.deeplearning4j.nn.workspace.LayerWorkspaceMgr;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.DynamicCustomOp;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;

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

    /**
     * oneDNN reorders the weights (and their gradient) on every call, and each part's op does it
     * again; parts also change its choice of kernel (at batch 2 a 3x3 weight gradient runs on the
     * direct kernel, at 4 on Winograd). Split whole-batch against by-sample, two threads, ms:
     * conv2d_bp 4 x 1024 -> 1024 on 4x4 maps 130 against 236, 4 x 512 on 16x16 49 against 68;
     * DeepLabV3+'s step at 128x128 171 against 205 with its 32x32 decoder (weights 0.56 of the
     * input) whole; depthwise and stem convolutions, whose weights are tiny, gain.
     */
    static final long MIN_INPUT_PER_WEIGHT = 4;

    /**
     * {@link #exec} over the batch in parts, one per kernel thread, each part's op on one OpenMP
     * thread. libnd4j's ops (and oneDNN in them) otherwise run on OpenMP's threads beside
     * segspark's own kernel threads: two pools on the same cores, each spinning while the other
     * works. On two cores MobileNetV1's training step at 128x128 spent 4-9 ms in hand-offs to a
     * kernel thread that had lost its core, and its depthwise convolutions ran no faster on two
     * threads than on one; with one pool the step took 37.8 against 42.6 ms (median, after the
     * JIT settled). {@code in[0]} and, for a _bp op, the last input (the output's gradient) are
     * split by sample, as is {@code out[0]}; the other outputs (weight and bias gradients) are each
     * part's own and summed in the order of the samples, so a run repeats itself. Ops whose weights
     * are more than a quarter of their input run whole, on OpenMP's threads (see
     * {@link #MIN_INPUT_PER_WEIGHT}).
     */
    static void execByBatch(String op, INDArray[] in, INDArray[] out, int[] iargs) {
        if (!byBatch(in)) {
            exec(op, in, out, iargs);
            return;
        }
        int n = (int) in[0].size(0);
        boolean backward = op.endsWith("_bp");
        Map<Integer, INDArray[]> sums = new ConcurrentSkipListMap<>();
        int own = NativeSpeed.threadsOfThisThread();
        try {
            // about the multiply-adds: input elements times the weights each input channel meets
            KernelThreads.split(n, in[0].length() * (in[1].length() / in[0].size(1)), (from, to) -> {
                NativeSpeed.threadsOfThisThread(1);
                INDArray[] pin = in.clone(), pout = out.clone();
                pin[0] = samples(in[0], from, to);
                if (backward) {
                    pin[pin.length - 1] = samples(in[in.length - 1], from, to);
                }
                pout[0] = samples(out[0], from, to);
                if (from > 0) {
                    for (int k = 1; k < out.length; k++) {
                        pout[k] = Nd4j.createUninitializedDetached(out[k].dataType(), out[k].shape());
                    }
                    sums.put(from, pout);
                }
                exec(op, pin, pout, iargs);
            });
        } finally {
            NativeSpeed.threadsOfThisThread(own);
        }
        for (INDArray[] part : sums.values()) {
            for (int k = 1; k < out.length; k++) {
                out[k].addi(part[k]);
                part[k].close();
            }
        }
    }

    /** Whether {@link #execByBatch} splits an op with these inputs (input, weights, ...). */
    static boolean byBatch(INDArray[] in) {
        return in[0].size(0) >= 2 && KernelThreads.get() >= 2 && in[1].length() <= in[0].length() / MIN_INPUT_PER_WEIGHT;
    }

    private static INDArray samples(INDArray a, int from, int to) {
        return a.get(NDArrayIndex.interval(from, to));
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
