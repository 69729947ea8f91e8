package org.segspark.models.graph;

import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.conf.graph.GraphVertex;
import org.deeplearning4j.nn.conf.graph.LayerVertex;
import org.deeplearning4j.nn.conf.layers.ActivationLayer;
import org.deeplearning4j.nn.conf.layers.BatchNormalization;
import org.deeplearning4j.nn.conf.layers.GlobalPoolingLayer;
import org.deeplearning4j.nn.conf.layers.SubsamplingLayer;
import org.deeplearning4j.nn.conf.layers.Layer;
import org.deeplearning4j.nn.conf.layers.misc.FrozenLayer;
import org.deeplearning4j.nn.conf.layers.misc.FrozenLayerWithBackprop;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.nd4j.linalg.api.ndarray.INDArray;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A network cut where its fixed encoder ends, so the encoder's outputs can be computed once per
 * image and the decoder trained alone on them.
 * <p>
 * The encoder is the part of the graph, starting at the inputs, made of frozen layers,
 * parameterless vertices and batch norms, trimmed to what feeds a frozen layer: a vertex belongs
 * to it when all its inputs do and it is frozen or leads to a frozen layer, or it is a pooling or
 * activation layer reading only the encoder. Its <i>frontier</i> is
 * what the rest of the network reads from it (the deepest features and the skip tensors; a network
 * input too when the decoder reads it). Because a frozen layer runs in inference mode, the
 * encoder's outputs depend on the image alone, so computing them once is exact, with two
 * conditions this class enforces: no layer inside applies dropout, and the batch norms inside
 * keep fixed statistics. A trainable batch norm inside the encoder (unet-vgg16's after its pools)
 * is listed by {@link #trainableNorms()} and frozen by {@link #fixEncoder}; any other trainable
 * layer feeding a frozen one makes the cut impossible.
 */
public final class EncoderSplit implements Serializable {
    private static final long serialVersionUID = 1L;
    private final List<String> encoder;
    private final List<String> frontier;
    private final List<String> trainableNorms;
    private final List<String> inputs;

    private EncoderSplit(List<String> encoder, List<String> frontier, List<String> trainableNorms, List<String> inputs) {
        this.encoder = encoder;
        this.frontier = frontier;
        this.trainableNorms = trainableNorms;
        this.inputs = inputs;
    }

    /** The cut of {@code conf}; refused with the reason when the network has no fixed encoder. */
    public static EncoderSplit of(ComputationGraphConfiguration conf) {
        List<String> order = topologicalOrder(conf);
        Set<String> inputs = new HashSet<>(conf.getNetworkInputs());
        Map<String, List<String>> in = conf.getVertexInputs();
        Set<String> candidates = new HashSet<>();
        for (String v : order) {
            if (inputs.contains(v)) {
                continue;
            }
            GraphVertex gv = conf.getVertices().get(v);
            boolean fixable = frozen(gv) || gv.numParams(false) == 0 || batchNorm(gv);
            boolean fed = in.get(v).stream().allMatch(i -> inputs.contains(i) || candidates.contains(i));
            if (fixable && fed) {
                candidates.add(v);
            }
        }
        // keep what is frozen or leads to a frozen vertex: walk back from the end
        Set<String> kept = new HashSet<>();
        for (int i = order.size() - 1; i >= 0; i--) {
            String v = order.get(i);
            if (candidates.contains(v) && frozen(conf.getVertices().get(v))) {
                kept.add(v);
            }
            if (kept.contains(v)) {
                in.get(v).stream().filter(candidates::contains).forEach(kept::add);
            }
        }
        // and the pooling and activation layers after it that read only the encoder: they never grow
        // a tensor, so the cache stores block5_pool rather than the 4x larger block5_conv3 before it
        for (String v : order) {
            if (candidates.contains(v) && !kept.contains(v) && shrinksOrKeeps(conf.getVertices().get(v))
                    && in.get(v).stream().allMatch(kept::contains)) {
                kept.add(v);
            }
        }
        if (kept.isEmpty()) {
            throw new IllegalArgumentException("the network has no frozen encoder to cache (set freeze-encoder true "
                    + "for a model with one)");
        }
        List<String> encoder = new ArrayList<>();
        List<String> norms = new ArrayList<>();
        for (String v : order) {
            if (!kept.contains(v)) {
                continue;
            }
            encoder.add(v);
            GraphVertex gv = conf.getVertices().get(v);
            if (gv instanceof LayerVertex lv && dropout(lv.getLayerConf().getLayer())) {
                throw new IllegalArgumentException("encoder layer " + v + " applies dropout while training, so its "
                        + "outputs are not fixed and cannot be cached");
            }
            if (!frozen(gv) && batchNorm(gv)) {
                norms.add(v);
            }
        }
        // a trainable layer upstream of a frozen one (not a batch norm) leaves no fixed encoder
        for (String v : order) {
            if (!kept.contains(v) && !inputs.contains(v) && frozen(conf.getVertices().get(v))
                    && in.get(v).stream().anyMatch(kept::contains)) {
                throw new IllegalArgumentException("frozen layer " + v + " reads a trainable layer; the encoder's "
                        + "outputs are not fixed and cannot be cached");
            }
        }
        Set<String> frontierSet = new HashSet<>();
        for (String v : order) {
            if (kept.contains(v) || inputs.contains(v)) {
                continue;
            }
            for (String i : in.get(v)) {
                if (kept.contains(i) || inputs.contains(i)) {
                    frontierSet.add(i);
                }
            }
        }
        for (String out : conf.getNetworkOutputs()) {
            if (kept.contains(out)) {
                throw new IllegalArgumentException("the network's output " + out + " is frozen: there is no decoder to train");
            }
        }
        List<String> frontier = new ArrayList<>();
        for (String v : order) {
            if (frontierSet.contains(v)) {
                frontier.add(v);
            }
        }
        return new EncoderSplit(List.copyOf(encoder), List.copyOf(frontier), List.copyOf(norms),
                List.copyOf(conf.getNetworkInputs()));
    }

    /** The encoder's vertices, in topological order. */
    public List<String> encoder() {
        return encoder;
    }

    /** What the decoder reads from the encoder (or the network's inputs), in topological order: the decoder's inputs. */
    public List<String> frontier() {
        return frontier;
    }

    /** Trainable batch norms inside the encoder, which a cached encoder must keep at fixed statistics. */
    public List<String> trainableNorms() {
        return trainableNorms;
    }

    /**
     * {@code net} with the encoder's trainable batch norms frozen (inference mode: their current
     * statistics, scale and shift), its parameters unchanged; {@code net} itself when there are none.
     */
    public ComputationGraph fixEncoder(ComputationGraph net) {
        if (trainableNorms.isEmpty()) {
            return net;
        }
        ComputationGraphConfiguration conf = net.getConfiguration().clone();
        for (String v : trainableNorms) {
            LayerVertex lv = (LayerVertex) conf.getVertices().get(v);
            Layer layer = lv.getLayerConf().getLayer();
            FrozenLayerWithBackprop frozen = new FrozenLayerWithBackprop(layer);
            // the graph finds a layer's inputs by its name, which GraphBuilder would have set
            frozen.setLayerName(v);
            lv.getLayerConf().setLayer(frozen);
        }
        ComputationGraph fixed = new ComputationGraph(conf);
        fixed.init(net.params().dup(), false);
        return fixed;
    }

    /** The encoder alone, for inference: the network's inputs in, the frontier out, {@code net}'s parameters. */
    public ComputationGraph encoder(ComputationGraph net) {
        requireFixed(net);
        Set<String> keep = new HashSet<>(encoder);
        List<String> outputs = frontier.stream().filter(keep::contains).toList();
        ComputationGraph g = subgraph(net.getConfiguration(), keep, inputs, outputs);
        copyParams(net, g);
        return g;
    }

    /**
     * The decoder alone: the frontier in, the network's outputs out, with {@code net}'s parameters
     * and optimiser state.
     */
    public ComputationGraph decoder(ComputationGraph net) {
        requireFixed(net);
        Set<String> keep = new HashSet<>(net.getConfiguration().getVertices().keySet());
        encoder.forEach(keep::remove);
        ComputationGraph g = subgraph(net.getConfiguration(), keep, frontier, net.getConfiguration().getNetworkOutputs());
        copyParams(net, g);
        UpdaterStates.copy(net, g);
        return g;
    }

    /**
     * The decoder's inputs for {@code inputs} (the network's): the encoder's outputs, and the
     * network's inputs where the decoder reads them, in {@link #frontier()} order. The arrays are
     * the caller's (outside any workspace).
     */
    public INDArray[] features(ComputationGraph encoderNet, INDArray... networkInputs) {
        INDArray[] out = encoderNet.output(false, networkInputs);
        List<String> outputs = encoderNet.getConfiguration().getNetworkOutputs();
        INDArray[] features = new INDArray[frontier.size()];
        for (int i = 0; i < features.length; i++) {
            String f = frontier.get(i);
            int o = outputs.indexOf(f);
            features[i] = o >= 0 ? out[o] : networkInputs[inputs.indexOf(f)];
        }
        return features;
    }

    /** Copies the parameters of the layers both networks have (by name) from {@code from} to {@code to}. */
    public static void copyParams(ComputationGraph from, ComputationGraph to) {
        for (var l : to.getLayers()) {
            String name = l.conf().getLayer().getLayerName();
            if (l.numParams() == 0 || !from.getConfiguration().getVertices().containsKey(name)) {
                continue;
            }
            Map<String, INDArray> source = from.getLayer(name).paramTable();
            for (Map.Entry<String, INDArray> p : l.paramTable().entrySet()) {
                p.getValue().assign(source.get(p.getKey()));
            }
        }
    }

    private void requireFixed(ComputationGraph net) {
        for (String v : trainableNorms) {
            if (!frozen(net.getConfiguration().getVertices().get(v))) {
                throw new IllegalStateException("batch norm " + v + " inside the encoder still trains; fixEncoder first");
            }
        }
    }

    private static ComputationGraph subgraph(ComputationGraphConfiguration full, Set<String> keep, List<String> inputs,
                                             List<String> outputs) {
        ComputationGraphConfiguration conf = full.clone();
        Map<String, GraphVertex> vertices = new LinkedHashMap<>();
        Map<String, List<String>> vertexInputs = new LinkedHashMap<>();
        for (Map.Entry<String, GraphVertex> e : conf.getVertices().entrySet()) {
            if (keep.contains(e.getKey())) {
                vertices.put(e.getKey(), e.getValue());
                vertexInputs.put(e.getKey(), new ArrayList<>(conf.getVertexInputs().get(e.getKey())));
            }
        }
        conf.setVertices(vertices);
        conf.setVertexInputs(vertexInputs);
        conf.setNetworkInputs(new ArrayList<>(inputs));
        conf.setNetworkOutputs(new ArrayList<>(outputs));
        // the order was computed for the whole graph; the part's is computed again
        conf.setTopologicalOrder(null);
        conf.setTopologicalOrderStr(null);
        ComputationGraph g = new ComputationGraph(conf);
        g.init();
        return g;
    }

    static boolean frozen(GraphVertex v) {
        if (!(v instanceof LayerVertex lv)) {
            return false;
        }
        Layer l = lv.getLayerConf().getLayer();
        return l instanceof FrozenLayerWithBackprop || l instanceof FrozenLayer;
    }

    private static boolean shrinksOrKeeps(GraphVertex v) {
        if (!(v instanceof LayerVertex lv)) {
            return false;
        }
        Layer l = lv.getLayerConf().getLayer();
        return l instanceof ActivationLayer || l instanceof SubsamplingLayer || l instanceof GlobalPoolingLayer;
    }

    private static boolean dropout(Layer l) {
        Layer inner = l instanceof FrozenLayerWithBackprop f ? f.getUnderlying()
                : l instanceof FrozenLayer f ? f.getLayer() : l;
        return inner.getIDropout() != null;
    }

    private static boolean batchNorm(GraphVertex v) {
        return v instanceof LayerVertex lv && lv.getLayerConf().getLayer() instanceof BatchNormalization;
    }

    private static List<String> topologicalOrder(ComputationGraphConfiguration conf) {
        Map<String, Integer> pending = new HashMap<>();
        Map<String, List<String>> consumers = new HashMap<>();
        List<String> ready = new ArrayList<>(conf.getNetworkInputs());
        for (Map.Entry<String, List<String>> e : conf.getVertexInputs().entrySet()) {
            pending.put(e.getKey(), e.getValue().size());
            for (String i : e.getValue()) {
                consumers.computeIfAbsent(i, k -> new ArrayList<>()).add(e.getKey());
            }
        }
        List<String> order = new ArrayList<>();
        while (!ready.isEmpty()) {
            String v = ready.remove(0);
            order.add(v);
            for (String c : consumers.getOrDefault(v, List.of())) {
                if (pending.merge(c, -1, Integer::sum) == 0) {
                    ready.add(c);
                }
            }
        }
        return order;
    }
}
