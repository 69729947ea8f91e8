package org.segspark.jobs.predict;

import org.nd4j.linalg.indexing.NDArrayIndex;

import org.deeplearning4j.nn.graph.ComputationGraph;
import org.nd4j.linalg.api.memory.MemoryWorkspace;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.segspark.models.onnx.OnnxRuntimeModel;

/** The network predict runs on an executor: DL4J's, or the exported file in ONNX Runtime. */
public interface BatchModel extends AutoCloseable {
    /** Probabilities for a batch [n, c, h, w] of normalised values, row-major. */
    INDArray output(float[] nchw, long[] shape);

    @Override
    void close();

    static BatchModel dl4j(ComputationGraph net) {
        return new BatchModel() {
            @Override
            public INDArray output(float[] nchw, long[] shape) {
                try (MemoryWorkspace ignored = Nd4j.getWorkspaceManager().scopeOutOfWorkspaces()) {
                    return net.output(false, Nd4j.create(nchw, shape, 'c'))[0];
                }
            }

            @Override
            public void close() {
            }
        };
    }

    /**
     * An ONNX model; one with a fixed batch size gets batches of exactly that size (the last one
     * padded with zeros, its padding's outputs dropped).
     */
    static BatchModel onnx(byte[] model, int threads) {
        OnnxRuntimeModel ort = new OnnxRuntimeModel(model, threads);
        long fixed = ort.inputShape()[0];
        return new BatchModel() {
            @Override
            public INDArray output(float[] nchw, long[] shape) {
                if (fixed <= 0 || fixed == shape[0]) {
                    OnnxRuntimeModel.Output o = ort.run(nchw, shape);
                    return Nd4j.create(o.values(), o.shape(), 'c');
                }
                int per = (int) (nchw.length / shape[0]);
                INDArray[] parts = new INDArray[(int) ((shape[0] + fixed - 1) / fixed)];
                for (int p = 0; p < parts.length; p++) {
                    long start = p * fixed, count = Math.min(fixed, shape[0] - start);
                    float[] chunk = new float[(int) (fixed * per)];
                    System.arraycopy(nchw, (int) (start * per), chunk, 0, (int) (count * per));
                    long[] s = shape.clone();
                    s[0] = fixed;
                    OnnxRuntimeModel.Output o = ort.run(chunk, s);
                    INDArray out = Nd4j.create(o.values(), o.shape(), 'c');
                    parts[p] = count == fixed ? out : out.get(NDArrayIndex.interval(0, count)).dup();
                }
                return parts.length == 1 ? parts[0] : Nd4j.concat(0, parts);
            }

            @Override
            public void close() {
                ort.close();
            }
        };
    }
}
