package org.segspark.models.layers;

/**
 * Per-thread float arrays a kernel reuses from call to call, grown when a call needs more: kernels
 * called a hundred times per training step must not allocate arrays the size of their tensors (at
 * 128x128 those are megabytes, which G1 allocates outside its young generation).
 */
final class Scratch {
    private final int count;
    private final ThreadLocal<float[][]> arrays;

    /** {@code count} arrays per thread. */
    Scratch(int count) {
        this.count = count;
        this.arrays = ThreadLocal.withInitial(() -> new float[count][0]);
    }

    /** This thread's arrays, each at least {@code len} long. */
    float[][] atLeast(int len) {
        float[][] s = arrays.get();
        if (s[0].length < len) {
            s = new float[count][len];
            arrays.set(s);
        }
        return s;
    }
}
