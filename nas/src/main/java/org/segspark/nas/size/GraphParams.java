package org.segspark.nas.size;

import org.deeplearning4j.nn.api.Layer;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.graph.vertex.GraphVertex;
import org.nd4j.linalg.api.ndarray.INDArray;

/** A named parameter of a layer or vertex of a graph, and its gradient, as views of the graph's flat arrays. */
public final class GraphParams {
    private GraphParams() {
    }

    public static INDArray param(ComputationGraph net, TiedParameters.Ref r) {
        GraphVertex v = vertex(net, r.owner());
        INDArray p = v.hasLayer() ? v.getLayer().getParam(r.key()) : v.paramTable(false).get(r.key());
        if (p == null) {
            throw new IllegalArgumentException(r.owner() + " has no parameter " + r.key());
        }
        return p;
    }

    public static INDArray gradient(ComputationGraph net, TiedParameters.Ref r) {
        GraphVertex v = vertex(net, r.owner());
        if (!v.hasLayer()) {
            return v.getGradientsViewArray().reshape(v.paramTable(false).get(r.key()).shape());
        }
        Layer l = v.getLayer();
        INDArray g = l.conf().getLayer().initializer().getGradientsFromFlattened(l.conf(), l.getGradientsViewArray())
                .get(r.key());
        if (g == null) {
            throw new IllegalArgumentException(r.owner() + " has no gradient for " + r.key());
        }
        return g;
    }

    static GraphVertex vertex(ComputationGraph net, String name) {
        GraphVertex v = net.getVertex(name);
        if (v == null) {
            throw new IllegalArgumentException("the network has no layer or vertex " + name);
        }
        return v;
    }
}
