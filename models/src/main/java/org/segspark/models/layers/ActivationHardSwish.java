package org.segspark.models.layers;

import org.nd4j.common.primitives.Pair;
import org.nd4j.linalg.activations.BaseActivationFunction;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Hard-swish, x * relu6(x + 3) / 6 (Howard et al. 2019), which DL4J 1.0.0-M2.1 lacks, with
 * PyTorch's derivative: 0 below -3, x/3 + 1/2 on [-3, 3], 1 above. Used where it is not fused into
 * a batch norm (the MobileNetV3 classifier head, and the stock-layer build of the networks).
 */
public class ActivationHardSwish extends BaseActivationFunction {
    private static final long serialVersionUID = 1L;

    @Override
    public INDArray getActivation(INDArray in, boolean training) {
        float[] v = in.dup('c').data().asFloat();
        for (int i = 0; i < v.length; i++) {
            float x = v[i];
            v[i] = x * Math.min(Math.max(x + 3f, 0f), 6f) / 6f;
        }
        in.assign(Nd4j.create(v, in.shape(), 'c'));
        return in;
    }

    @Override
    public Pair<INDArray, INDArray> backprop(INDArray in, INDArray epsilon) {
        assertShape(in, epsilon);
        float[] x = in.dup('c').data().asFloat();
        float[] e = epsilon.dup('c').data().asFloat();
        for (int i = 0; i < x.length; i++) {
            e[i] *= derivative(x[i]);
        }
        in.assign(Nd4j.create(e, in.shape(), 'c'));
        return new Pair<>(in, null);
    }

    static float derivative(float x) {
        return x < -3f ? 0f : (x > 3f ? 1f : x / 3f + 0.5f);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof ActivationHardSwish;
    }

    @Override
    public int hashCode() {
        return 0x5a11;
    }

    @Override
    public String toString() {
        return "hardswish";
    }
}
