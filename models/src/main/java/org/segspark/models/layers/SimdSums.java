package org.segspark.models.layers;

import jdk.incubator.vector.DoubleVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorShape;
import jdk.incubator.vector.VectorSpecies;

/**
 * The sums batch norm needs, on the Vector API: HotSpot's auto-vectoriser leaves a float sum
 * scalar (Java fixes the order of float additions), which held the batch-norm statistics to
 * 4-5 GB/s on one core against 22-29 GB/s here. Each lane adds at most {@link #CHUNK} vectors in
 * float before the lanes are added up in double, so a sum of a million elements still rounds like
 * a short float sum; batch-norm backprop subtracts these sums from each other and is sensitive to
 * that. Only called when {@link BatchNormKernels#simd} is set: without the module this class cannot load.
 */
final class SimdSums {
    private static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;
    /** Doubles in the widest vector, and floats in a vector of as many lanes, for per-element double sums. */
    private static final VectorSpecies<Double> D = DoubleVector.SPECIES_PREFERRED;
    private static final VectorSpecies<Float> F = VectorSpecies.of(float.class, VectorShape.forBitSize(D.vectorBitSize() / 2));
    /** Vectors summed per lane in float before the partial sums go to double. */
    private static final int CHUNK = 16;

    private SimdSums() {
    }

    /** Adds sum(v - shift) to out[0] and sum((v - shift)^2) to out[1], over v[0..len). */
    static void shifted(float[] v, int len, float shift, double[] out) {
        pair(v, shift, v, shift, 0, len, out, 0);
    }

    /** Adds sum(v - shift) to out[at] and sum((v - shift)^2) to out[at + 1], over v[from..from + len). */
    static void shifted(float[] v, int from, int len, float shift, double[] out, int at) {
        pair(v, shift, v, shift, from, len, out, at);
    }

    /** Adds sum(g) to out[at] and sum(g * (x - mu)) to out[at + 1], over [from..from + len). */
    static void gradient(float[] g, float[] x, int from, int len, float mu, double[] out, int at) {
        pair(g, 0f, x, mu, from, len, out, at);
    }

    /** Adds sum(a - ka) to out[at] and sum((a - ka) * (b - kb)) to out[at + 1], over [from..from + len). */
    private static void pair(float[] a, float ka, float[] b, float kb, int from, int len, double[] out, int at) {
        int lanes = S.length(), p = from, stop = from + len;
        FloatVector va = FloatVector.broadcast(S, ka), vb = FloatVector.broadcast(S, kb);
        double s = 0, q = 0;
        int whole = stop - lanes + 1;
        while (p < whole) {
            FloatVector vs = FloatVector.zero(S), vq = FloatVector.zero(S);
            int end = Math.min(whole, p + CHUNK * lanes);
            for (; p < end; p += lanes) {
                FloatVector d = FloatVector.fromArray(S, a, p).sub(va);
                vs = vs.add(d);
                vq = d.fma(FloatVector.fromArray(S, b, p).sub(vb), vq);
            }
            s += vs.reduceLanes(VectorOperators.ADD);
            q += vq.reduceLanes(VectorOperators.ADD);
        }
        for (; p < stop; p++) {
            float d = a[p] - ka;
            s += d;
            q += d * (b[p] - kb);
        }
        out[at] += s;
        out[at + 1] += q;
    }

    /** Per element: ds[i] += v[i] - shift[i] and dq[i] += (v[i] - shift[i])^2, in double. */
    static void shiftedPerElement(float[] v, float[] shift, int len, double[] ds, double[] dq) {
        int lanes = D.length(), i = 0;
        for (; i + lanes <= len; i += lanes) {
            FloatVector d = FloatVector.fromArray(F, v, i).sub(FloatVector.fromArray(F, shift, i));
            DoubleVector.fromArray(D, ds, i).add(d.convertShape(VectorOperators.F2D, D, 0)).intoArray(ds, i);
            DoubleVector.fromArray(D, dq, i).add(d.mul(d).convertShape(VectorOperators.F2D, D, 0)).intoArray(dq, i);
        }
        for (; i < len; i++) {
            float d = v[i] - shift[i];
            ds[i] += d;
            dq[i] += d * d;
        }
    }

    /** Per element: dsg[i] += g[i] and dsgx[i] += g[i] * (x[i] - mu[i]), in double. */
    static void gradientPerElement(float[] g, float[] x, float[] mu, int len, double[] dsg, double[] dsgx) {
        int lanes = D.length(), i = 0;
        for (; i + lanes <= len; i += lanes) {
            FloatVector gv = FloatVector.fromArray(F, g, i);
            FloatVector gx = gv.mul(FloatVector.fromArray(F, x, i).sub(FloatVector.fromArray(F, mu, i)));
            DoubleVector.fromArray(D, dsg, i).add(gv.convertShape(VectorOperators.F2D, D, 0)).intoArray(dsg, i);
            DoubleVector.fromArray(D, dsgx, i).add(gx.convertShape(VectorOperators.F2D, D, 0)).intoArray(dsgx, i);
        }
        for (; i < len; i++) {
            dsg[i] += g[i];
            dsgx[i] += g[i] * (x[i] - mu[i]);
        }
    }

    /**
     * acc[at + j] += a[ai + j] * b[bi + j] for j in [0, len), every element as one fused multiply-add,
     * the tail too: an element then rounds the same whether it falls in a vector or the tail, so the
     * result does not depend on how callers split the channels (which follows the batch size).
     */
    static void multiplyAdd(float[] acc, int at, float[] a, int ai, float[] b, int bi, int len) {
        int lanes = S.length(), j = 0;
        for (; j + lanes <= len; j += lanes) {
            FloatVector.fromArray(S, a, ai + j).fma(FloatVector.fromArray(S, b, bi + j), FloatVector.fromArray(S, acc, at + j))
                    .intoArray(acc, at + j);
        }
        for (; j < len; j++) {
            acc[at + j] = Math.fma(a[ai + j], b[bi + j], acc[at + j]);
        }
    }
}
