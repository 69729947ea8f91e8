package org.segspark.nas;

import org.segspark.nas.architecture.NasLayout;

import org.segspark.nas.architecture.NasArchitecture;
import org.segspark.nas.graph.NasGraph;
import org.segspark.nas.prune.Pruner;
import org.segspark.nas.size.NetworkSize;
import org.segspark.nas.size.SizeLossVertex;

import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.segspark.models.graph.GraphStats;
import org.segspark.models.registry.ModelRegistry;
import org.segspark.models.graph.GraphAssembler;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Where a search stands after an epoch (one line of RUN/search.jsonl): cross-entropy, architecture
 * loss, relaxed size, learnt depths, live channels per cell and the parameters of the network
 * pruning would make now.
 */
public final class SearchState {
    private SearchState() {
    }

    public static Map<String, Object> row(ComputationGraph net, NasArchitecture a, int epoch, Double crossEntropy) {
        NetworkSize.Value v = NetworkSize.of(net, a);
        Map<String, Object> row = new LinkedHashMap<>();
        row.put("epoch", epoch);
        row.put("ce", crossEntropy);
        row.put("arch_loss", v.loss());
        row.put("relaxed_size", v.size());
        row.put("full_size", v.full());
        row.put("size_ratio", v.ratio());
        row.put("net_depth", v.netDepth());
        row.put("net_depth_kept", v.netDepthKept());
        row.put("params_full", plainParams(net, a));
        row.put("params_if_pruned", plainParams(net, Pruner.prunedArchitecture(a, Pruner.decisions(v))));
        List<Map<String, Object>> cells = new ArrayList<>();
        for (NetworkSize.CellState c : v.cells()) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("cell", c.cell());
            m.put("channels", c.channels());
            m.put("live", c.live());
            m.put("soft_channels", c.softChannels());
            m.put("depth", c.depth());
            m.put("steps", c.steps());
            m.put("steps_kept", c.stepsKept());
            cells.add(m);
        }
        row.put("cells", cells);
        return row;
    }

    /** Parameters of the plain network of an architecture at the search network's input size. */
    static long plainParams(ComputationGraph net, NasArchitecture a) {
        SizeLossVertex v = (SizeLossVertex) net.getConfiguration().getVertices().get(NasLayout.OBJECTIVE);
        return GraphStats.of(NasGraph.build(a.withMode(NasArchitecture.PLAIN), v.getHeight(), v.getWidth(),
                ModelRegistry.defaultBase(0), GraphAssembler.Implementation.FAST),
                InputType.convolutional(v.getHeight(), v.getWidth(), a.inChannels())).paramsTotal();
    }

    /** The row as one console line. */
    @SuppressWarnings("unchecked")
    public static String describe(Map<String, Object> row) {
        StringBuilder live = new StringBuilder();
        for (Map<String, Object> c : (List<Map<String, Object>>) row.get("cells")) {
            live.append(live.isEmpty() ? "" : " ").append(c.get("cell").toString().replaceFirst("_p\\d+$", ""))
                    .append(' ').append(c.get("live")).append('/').append(c.get("channels"))
                    .append(String.format(Locale.ROOT, " d%.2f", (Double) c.get("depth")));
        }
        return String.format(Locale.ROOT, "          search: arch_loss %.4f  size %.3f of full  %snet params if pruned %d of %d  [%s]",
                (Double) row.get("arch_loss"), (Double) row.get("size_ratio"),
                row.get("net_depth") == null ? "" : String.format(Locale.ROOT, "unet depth %.2f (keeps %d)  ",
                        (Double) row.get("net_depth"), (Integer) row.get("net_depth_kept")),
                (Long) row.get("params_if_pruned"), (Long) row.get("params_full"), live);
    }
}
