package org.segspark.models.bench;

import org.deeplearning4j.nn.conf.layers.ActivationLayer;

import org.deeplearning4j.nn.api.Layer;
import org.deeplearning4j.nn.api.layers.IOutputLayer;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.graph.vertex.GraphVertex;
import org.deeplearning4j.nn.graph.vertex.VertexIndices;
import org.deeplearning4j.nn.graph.vertex.impl.LayerVertex;
import org.deeplearning4j.nn.workspace.LayerWorkspaceMgr;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.api.MultiDataSet;
import org.nd4j.linalg.factory.Nd4j;
import org.segspark.models.graph.FusedGraphUpdater;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.IntFunction;

/**
 * Where a training step's time goes, by layer type: every vertex of the graph is run forward and
 * backward on its own, on the activations a real forward pass gave it, and the times are summed
 * per layer type. Run alone the layers allocate fresh memory instead of reusing the network's
 * workspaces, so their absolute times run about twice their in-network cost; the shares between
 * layer types are what the profile is for.
 */
public final class LayerProfiler {
    private LayerProfiler() {
    }

    /** Forward and backward milliseconds per training step for one layer type. */
    public record TypeTime(String type, int layers, double forwardMs, double backwardMs) {
        public double totalMs() {
            return forwardMs + backwardMs;
        }
    }

    /** Per-type times, the measured full step, and what the per-layer times leave unexplained. */
    public record Profile(List<TypeTime> types, double stepMs) {
        public double attributedMs() {
            return types.stream().mapToDouble(TypeTime::totalMs).sum();
        }
    }

    /** The full step is timed on {@code batches}' first steps; the layers on the activations of step 0. */
    public static Profile profile(ComputationGraph net, IntFunction<? extends MultiDataSet> batches, int reps) {
        FusedGraphUpdater.install(net);
        for (int i = 0; i < 2; i++) {
            net.fit(batches.apply(1 + i)); // warm-up; also creates the gradient views backprop writes into
        }
        List<Double> steps = new ArrayList<>();
        for (int i = 0; i < reps; i++) {
            MultiDataSet next = batches.apply(3 + i);
            long t = System.nanoTime();
            net.fit(next);
            steps.add((System.nanoTime() - t) / 1e6);
        }
        double stepMs = SingleProcessBenchmark.median(steps);
        MultiDataSet data = batches.apply(0);

        Map<String, INDArray> acts = new LinkedHashMap<>(net.feedForward(data.getFeatures(), true, false));
        List<String> inputNames = net.getConfiguration().getNetworkInputs();
        for (int i = 0; i < inputNames.size(); i++) {
            acts.putIfAbsent(inputNames.get(i), data.getFeatures(i));
        }
        Map<String, double[]> byType = new TreeMap<>();
        Map<String, Integer> counts = new LinkedHashMap<>();
        LayerWorkspaceMgr mgr = LayerWorkspaceMgr.noWorkspaces();
        GraphVertex[] vertices = net.getVertices();
        for (int idx : net.topologicalSortOrder()) {
            GraphVertex v = vertices[idx];
            if (v.isInputVertex()) {
                continue;
            }
            VertexIndices[] in = v.getInputVertices();
            INDArray[] inputs = new INDArray[in.length];
            for (int k = 0; k < in.length; k++) {
                String name = vertices[in[k].getVertexIndex()].getVertexName();
                inputs[k] = acts.get(name);
                if (inputs[k] == null) {
                    throw new IllegalStateException("no activation of " + name + " (input of " + v.getVertexName()
                            + "); have " + acts.keySet());
                }
            }
            String type = type(v);
            double fwd = 0, bwd = 0;
            for (int r = 0; r < reps; r++) {
                v.setInputs(inputs.clone()); // clear() nulls the array it was given
                if (v instanceof LayerVertex lv) {
                    lv.applyPreprocessorAndSetInput(mgr);
                }
                long t0 = System.nanoTime();
                INDArray out = v.doForward(true, mgr);
                long t1 = System.nanoTime();
                if (v.hasLayer() && v.getLayer() instanceof IOutputLayer o) {
                    o.setLabels(data.getLabels(0));
                    v.getLayer().setMaskArray(data.getLabelsMaskArray(0));
                } else {
                    v.setEpsilon(Nd4j.onesLike(out).muli(1e-3));
                }
                long t2 = System.nanoTime();
                v.doBackward(false, mgr);
                long t3 = System.nanoTime();
                fwd += (t1 - t0) / 1e6;
                bwd += (t3 - t2) / 1e6;
                v.clear();
            }
            double[] acc = byType.computeIfAbsent(type, k -> new double[2]);
            acc[0] += fwd / reps;
            acc[1] += bwd / reps;
            counts.merge(type, 1, Integer::sum);
        }
        List<TypeTime> types = new ArrayList<>();
        byType.forEach((t, a) -> types.add(new TypeTime(t, counts.get(t), a[0], a[1])));
        types.sort((a, b) -> Double.compare(b.totalMs(), a.totalMs()));
        return new Profile(types, stepMs);
    }

    static String type(GraphVertex v) {
        if (v instanceof LayerVertex lv && lv.getLayer() != null) {
            Layer l = lv.getLayer();
            String name = l.conf().getLayer().getClass().getSimpleName();
            if (name.equals("ActivationLayer")) {
                return "Activation(" + ((ActivationLayer) l.conf().getLayer())
                        .getActivationFn().toString().replaceAll("\\(.*", "") + ")";
            }
            return name;
        }
        return v.getClass().getSimpleName();
    }
}
