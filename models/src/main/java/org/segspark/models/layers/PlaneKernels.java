package org.segspark.models.layers;

import org.bytedeco.javacpp.FloatPointer;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

import java.nio.FloatBuffer;

/** Shared plumbing for segspark's per-plane kernels over NCHW float arrays. */
final class PlaneKernels {
    private PlaneKernels() {
    }

    /** The elements of a float array in c order, read straight from its memory (no native op). */
    static float[] read(INDArray a) {
        INDArray c = DenseArrays.contiguous(a);
        float[] v = new float[(int) c.length()];
        DenseArrays.buffer(c).get(0, v);
        return v;
    }

    /** Writes {@code v} into a dense c-order float array's memory (no native op). */
    static void write(INDArray target, float[] v) {
        denseBuffer(target).put(0, v);
    }

    /** A pointer to a dense c-order float array's first element, for native calls (OpenBLAS). */
    static FloatPointer pointer(INDArray a) {
        if (a.dataType() != DataType.FLOAT) {
            throw new IllegalArgumentException("not a float array: " + a.shapeInfoToString());
        }
        return new FloatPointer(denseBuffer(a));
    }

    /** The memory of a dense c-order array, from its first element; anything else is refused. */
    static FloatBuffer denseBuffer(INDArray a) {
        if (!DenseArrays.denseC(a)) {
            throw new IllegalArgumentException("not a dense c-order array: " + a.shapeInfoToString());
        }
        return DenseArrays.buffer(a);
    }

    /** PyTorch's hard sigmoid, relu6(x + 3) / 6 (the MobileNetV3 gate; DL4J's HARDSIGMOID has slope 0.2). */
    static float hardSigmoid(float x) {
        return Math.min(Math.max(x + 3f, 0f), 6f) * (1f / 6f);
    }

    /** Its derivative, 1/6 strictly inside (-3, 3). */
    static float hardSigmoidGrad(float x) {
        return x > -3f && x < 3f ? 1f / 6f : 0f;
    }
}
