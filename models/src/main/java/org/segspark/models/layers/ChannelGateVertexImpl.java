package org.segspark.models.layers;

import org.deeplearning4j.nn.gradient.Gradient;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.workspace.ArrayType;
import org.deeplearning4j.nn.workspace.LayerWorkspaceMgr;
import org.nd4j.common.primitives.Pair;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import java.nio.FloatBuffer;

/** Computation of {@link ChannelGateVertex}: y = x * g, g = hardsigmoid(s), per (n, c) plane. */
public class ChannelGateVertexImpl extends ParameterlessVertexImpl {
    private static final long serialVersionUID = 1L;
    private static final int CHUNK = 1 << 14;
    private static final Scratch SCRATCH = new Scratch(2);

    public ChannelGateVertexImpl(ComputationGraph graph, String name, int vertexIndex, DataType dataType) {
        super(graph, name, vertexIndex, dataType);
    }

    @Override
    public INDArray doForward(boolean training, LayerWorkspaceMgr workspaceMgr) {
        if (inputs[0].dataType() != DataType.FLOAT) {
            return forwardAnyType(workspaceMgr);
        }
        INDArray x = DenseArrays.contiguous(inputs[0]);
        float[] s = PlaneKernels.read(inputs[1]);
        int planes = (int) (x.size(0) * x.size(1)), hw = (int) (x.size(2) * x.size(3));
        INDArray out = workspaceMgr.createUninitialized(ArrayType.ACTIVATIONS, DataType.FLOAT, x.shape(), 'c');
        FloatBuffer in = PlaneKernels.denseBuffer(x), to = PlaneKernels.denseBuffer(out);
        int step = planesPerChunk(hw);
        float[] v = SCRATCH.atLeast(step * hw)[0];
        for (int first = 0; first < planes; first += step) {
            int last = Math.min(planes, first + step), len = (last - first) * hw;
            in.get(first * hw, v, 0, len);
            for (int p = first; p < last; p++) {
                float g = PlaneKernels.hardSigmoid(s[p]);
                for (int i = (p - first) * hw, end = i + hw; i < end; i++) {
                    v[i] *= g;
                }
            }
            to.put(first * hw, v, 0, len);
        }
        return out;
    }

    /**
     * Whole planes in chunks of about {@link #CHUNK} floats: each chunk is one bulk copy in and out
     * (a copy per plane cost more than the work on 1x1 to 4x4 maps) into {@link Scratch} arrays
     * that stay small whatever the tensor's size.
     */
    private static int planesPerChunk(int hw) {
        return Math.max(1, CHUNK / hw);
    }

    /** Any data type (float64 reference runs in tests): the same computation in double. */
    private INDArray forwardAnyType(LayerWorkspaceMgr workspaceMgr) {
        double[] x = inputs[0].dup('c').data().asDouble(), s = inputs[1].dup('c').data().asDouble();
        int hw = (int) (inputs[0].size(2) * inputs[0].size(3));
        for (int i = 0; i < x.length; i++) {
            double v = s[i / hw] + 3;
            x[i] *= Math.min(Math.max(v, 0), 6) / 6;
        }
        INDArray out = workspaceMgr.createUninitialized(ArrayType.ACTIVATIONS, inputs[0].dataType(), inputs[0].shape(), 'c');
        return out.assign(Nd4j.create(x, inputs[0].shape(), 'c'));
    }

    private Pair<Gradient, INDArray[]> backwardAnyType(LayerWorkspaceMgr workspaceMgr) {
        double[] x = inputs[0].dup('c').data().asDouble(), s = inputs[1].dup('c').data().asDouble();
        double[] g = epsilon.dup('c').data().asDouble();
        int hw = (int) (inputs[0].size(2) * inputs[0].size(3));
        double[] ds = new double[s.length];
        for (int i = 0; i < x.length; i++) {
            int p = i / hw;
            double gate = Math.min(Math.max(s[p] + 3, 0), 6) / 6;
            ds[p] += g[i] * x[i] * (s[p] > -3 && s[p] < 3 ? 1.0 / 6 : 0);
            g[i] *= gate;
        }
        INDArray dx = workspaceMgr.createUninitialized(ArrayType.ACTIVATION_GRAD, inputs[0].dataType(), inputs[0].shape(), 'c')
                .assign(Nd4j.create(g, inputs[0].shape(), 'c'));
        INDArray dS = workspaceMgr.createUninitialized(ArrayType.ACTIVATION_GRAD, inputs[1].dataType(), inputs[1].shape(), 'c')
                .assign(Nd4j.create(ds, inputs[1].shape(), 'c'));
        return new Pair<>(null, new INDArray[] {dx, dS});
    }

    @Override
    public Pair<Gradient, INDArray[]> doBackward(boolean tbptt, LayerWorkspaceMgr workspaceMgr) {
        if (inputs[0].dataType() != DataType.FLOAT) {
            return backwardAnyType(workspaceMgr);
        }
        INDArray x = DenseArrays.contiguous(inputs[0]);
        INDArray dy = DenseArrays.contiguous(epsilon);
        float[] s = PlaneKernels.read(inputs[1]);
        int planes = (int) (x.size(0) * x.size(1)), hw = (int) (x.size(2) * x.size(3));
        INDArray dx = workspaceMgr.createUninitialized(ArrayType.ACTIVATION_GRAD, DataType.FLOAT, x.shape(), 'c');
        float[] ds = new float[planes];
        FloatBuffer xb = PlaneKernels.denseBuffer(x), gb = PlaneKernels.denseBuffer(dy), to = PlaneKernels.denseBuffer(dx);
        int step = planesPerChunk(hw);
        float[][] scratch = SCRATCH.atLeast(step * hw);
        float[] xs = scratch[0], gs = scratch[1];
        for (int first = 0; first < planes; first += step) {
            int last = Math.min(planes, first + step), len = (last - first) * hw;
            xb.get(first * hw, xs, 0, len);
            gb.get(first * hw, gs, 0, len);
            for (int p = first; p < last; p++) {
                float g = PlaneKernels.hardSigmoid(s[p]);
                double dot = 0;
                for (int i = (p - first) * hw, end = i + hw; i < end; i++) {
                    dot += gs[i] * xs[i];
                    gs[i] *= g;
                }
                ds[p] = (float) dot * PlaneKernels.hardSigmoidGrad(s[p]);
            }
            to.put(first * hw, gs, 0, len);
        }
        INDArray dS = workspaceMgr.createUninitialized(ArrayType.ACTIVATION_GRAD, DataType.FLOAT, inputs[1].shape(), 'c');
        PlaneKernels.write(dS, ds);
        return new Pair<>(null, new INDArray[] {dx, dS});
    }
}
