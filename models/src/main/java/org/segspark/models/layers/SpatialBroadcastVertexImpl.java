package org.segspark.models.layers;

import java.util.Arrays;
import org.nd4j.linalg.factory.Nd4j;

import org.deeplearning4j.nn.gradient.Gradient;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.workspace.ArrayType;
import org.deeplearning4j.nn.workspace.LayerWorkspaceMgr;
import org.nd4j.common.primitives.Pair;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

import java.nio.FloatBuffer;

/** Computation of {@link SpatialBroadcastVertex}; the reference input gets no gradient. */
public class SpatialBroadcastVertexImpl extends ParameterlessVertexImpl {
    private static final long serialVersionUID = 1L;

    public SpatialBroadcastVertexImpl(ComputationGraph graph, String name, int vertexIndex, DataType dataType) {
        super(graph, name, vertexIndex, dataType);
    }

    @Override
    public INDArray doForward(boolean training, LayerWorkspaceMgr workspaceMgr) {
        long n = inputs[0].size(0), c = inputs[0].size(1), h = inputs[1].size(2), w = inputs[1].size(3);
        int hw = (int) (h * w);
        if (inputs[0].dataType() != DataType.FLOAT) {
            double[] v = inputs[0].dup('c').data().asDouble(), o = new double[(int) (n * c) * hw];
            for (int i = 0; i < o.length; i++) {
                o[i] = v[i / hw];
            }
            return workspaceMgr.createUninitialized(ArrayType.ACTIVATIONS, inputs[0].dataType(), new long[] {n, c, h, w}, 'c')
                    .assign(Nd4j.create(o, new long[] {n, c, h, w}, 'c'));
        }
        float[] v = inputs[0].dup('c').data().asFloat();
        INDArray out = workspaceMgr.createUninitialized(ArrayType.ACTIVATIONS, DataType.FLOAT, new long[] {n, c, h, w}, 'c');
        FloatBuffer ob = DenseArrays.buffer(out);
        float[] plane = new float[hw];
        for (int p = 0; p < n * c; p++) {
            Arrays.fill(plane, v[p]);
            ob.put(p * hw, plane, 0, hw);
        }
        return out;
    }

    @Override
    public Pair<Gradient, INDArray[]> doBackward(boolean tbptt, LayerWorkspaceMgr workspaceMgr) {
        if (epsilon.dataType() != DataType.FLOAT) {
            // sum over the plane, in the input's type
            INDArray dV = workspaceMgr.createUninitialized(ArrayType.ACTIVATION_GRAD, epsilon.dataType(), inputs[0].shape(), 'c');
            dV.assign(epsilon.sum(2, 3).reshape(inputs[0].shape()));
            INDArray dRef = workspaceMgr.create(ArrayType.ACTIVATION_GRAD, inputs[1].dataType(), inputs[1].shape(), 'c');
            return new Pair<>(null, new INDArray[] {dV, dRef});
        }
        INDArray dy = DenseArrays.contiguous(epsilon);
        int planes = (int) (dy.size(0) * dy.size(1)), hw = (int) (dy.size(2) * dy.size(3));
        float[] dv = new float[planes], buf = new float[hw];
        FloatBuffer db = DenseArrays.buffer(dy);
        for (int p = 0; p < planes; p++) {
            db.get(p * hw, buf, 0, hw);
            double s = 0;
            for (float f : buf) {
                s += f;
            }
            dv[p] = (float) s;
        }
        INDArray dV = workspaceMgr.create(ArrayType.ACTIVATION_GRAD, DataType.FLOAT, inputs[0].shape(), 'c');
        dV.assign(Nd4j.create(dv, inputs[0].shape(), 'c'));
        INDArray dRef = workspaceMgr.create(ArrayType.ACTIVATION_GRAD, inputs[1].dataType(), inputs[1].shape(), 'c');
        return new Pair<>(null, new INDArray[] {dV, dRef});
    }
}
