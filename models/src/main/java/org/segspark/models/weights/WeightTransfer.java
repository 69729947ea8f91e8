package org.segspark.models.weights;

import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.graph.vertex.GraphVertex;
import org.nd4j.linalg.api.ndarray.INDArray;

import java.util.Arrays;
import java.util.Map;

/**
 * Copies parameters between networks by layer name: a pruned network into the search network that
 * searches it again (each decoder copy dec<j>_p<d> takes plain dec<j>; gates and depths keep their
 * fresh initial values), a saved network into the one fine-tuning it.
 */
public final class WeightTransfer {
    private WeightTransfer() {
    }

    /** Parameters copied and left. */
    public record Report(int copied, int fresh) {
    }

    /**
     * For every parameter of {@code to}: the same-named (or, with {@code plainNames}, the plain
     * network's name of the same) parameter of {@code from}, which must have the same shape.
     */
    public static Report copyByName(ComputationGraph from, ComputationGraph to, boolean plainNames) {
        int copied = 0, fresh = 0;
        for (GraphVertex v : to.getVertices()) {
            if (v.numParams() == 0) {
                continue;
            }
            String name = v.getVertexName();
            GraphVertex src = from.getVertex(name);
            if (src == null && plainNames) {
                src = from.getVertex(name.replaceFirst("_p\\d+(?=(_|$))", ""));
            }
            Map<String, INDArray> dst = v.paramTable(false);
            if (src == null || src.numParams() == 0) {
                fresh += dst.size();
                continue;
            }
            Map<String, INDArray> s = src.paramTable(false);
            for (Map.Entry<String, INDArray> e : dst.entrySet()) {
                INDArray p = s.get(e.getKey());
                if (p == null) {
                    fresh++;
                    continue;
                }
                if (!Arrays.equals(p.shape(), e.getValue().shape())) {
                    throw new IllegalArgumentException("cannot copy " + src.getVertexName() + "." + e.getKey() + " "
                            + Arrays.toString(p.shape()) + " into " + name + " " + Arrays.toString(e.getValue().shape()));
                }
                e.getValue().assign(p);
                copied++;
            }
        }
        return new Report(copied, fresh);
    }
}
