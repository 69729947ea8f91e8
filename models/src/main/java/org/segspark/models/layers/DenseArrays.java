package org.segspark.models.layers;

import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

import java.nio.FloatBuffer;

/**
 * Whether an array's elements lie in its memory as one dense c-order run, so that segspark's own
 * kernels can read and write them straight from the buffer. ND4J's
 * {@code Shape.hasDefaultStridesForShape} says no for any array with a size-1 axis whose stride is
 * not the one ND4J would have picked for it ([512, 512, 1, 1] with strides [512, 1, 1, 1], every 1x1
 * convolution's weights and every [N, C, 1, 1] map): the kernels then copied them on every call,
 * and in MobileNetV1's training step at 128x128 those copies (a fresh native buffer, zeroed, for
 * a megabyte of weights) cost more than the products they fed.
 */
public final class DenseArrays {
    private DenseArrays() {
    }

    /** True when the elements in c order are the consecutive floats from the array's offset: size-1 axes may have any stride. */
    public static boolean denseC(INDArray a) {
        long[] shape = a.shape(), stride = a.stride();
        long expected = 1;
        for (int i = shape.length - 1; i >= 0; i--) {
            if (shape[i] == 1) {
                continue;
            }
            if (stride[i] != expected) {
                return false;
            }
            expected *= shape[i];
        }
        return true;
    }

    /** {@link #denseC} for a float array. */
    public static boolean denseFloats(INDArray a) {
        return a != null && a.dataType() == DataType.FLOAT && denseC(a);
    }

    /** The array itself when {@link #denseC}, else a dense c-order copy. */
    public static INDArray contiguous(INDArray a) {
        return denseC(a) ? a : a.dup('c');
    }

    /** The array's elements as a buffer starting at its first (for a {@link #denseC} array). */
    public static FloatBuffer buffer(INDArray a) {
        return a.data().asNioFloat().position((int) a.offset()).slice();
    }
}
