package org.segspark.nas;

import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.segspark.models.EpochLog;
import org.segspark.models.ReportSection;
import org.segspark.models.graph.GraphAssembler;
import org.segspark.models.graph.GraphStats;
import org.segspark.models.registry.ModelRegistry;
import org.segspark.nas.architecture.NasArchitecture;
import org.segspark.nas.architecture.NasLayout;
import org.segspark.nas.graph.NasGraph;
import org.segspark.nas.prune.Pruner;
import org.segspark.nas.size.NetworkSize;
import org.segspark.nas.size.SizeLossVertex;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.function.ToDoubleFunction;

/**
 * A search's log: after each epoch its cross-entropy, architecture loss, size, learnt
 * depths, live channels per cell and the parameters of the network pruning would make now
 * (RUN/search.jsonl, a console line, and the report's "Architecture search" section).
 */
public final class SearchLog implements EpochLog<SearchEpoch> {
    public static final String FILE = "search.jsonl";

    @Override
    public String file() {
        return FILE;
    }

    @Override
    public Class<SearchEpoch> rowType() {
        return SearchEpoch.class;
    }

    /** Null for a network without a size loss (a pruned, plain architecture being fine-tuned). */
    @Override
    public SearchEpoch afterEpoch(ComputationGraph net, int epoch, Double trainLoss) {
        NasArchitecture a = NasModels.searchArchitecture(net);
        if (a == null) {
            return null;
        }
        NetworkSize.Value v = NetworkSize.of(net, a);
        List<SearchEpoch.Cell> cells = new ArrayList<>();
        for (NetworkSize.CellState c : v.cells()) {
            cells.add(new SearchEpoch.Cell(c.cell(), c.channels(), c.live(), c.softChannels(), c.depth(), c.steps(),
                    c.stepsKept()));
        }
        return new SearchEpoch(epoch, trainLoss, v.loss(), v.size(), v.full(), v.ratio(), v.netDepth(), v.netDepthKept(),
                plainParams(net, a), plainParams(net, Pruner.prunedArchitecture(a, Pruner.decisions(v))), cells);
    }

    /** Parameters of the plain network of an architecture at the search network's input size. */
    static long plainParams(ComputationGraph net, NasArchitecture a) {
        SizeLossVertex v = (SizeLossVertex) net.getConfiguration().getVertices().get(NasLayout.OBJECTIVE);
        return GraphStats.of(NasGraph.build(a.withMode(NasArchitecture.PLAIN), v.getHeight(), v.getWidth(),
                ModelRegistry.defaultBase(0), GraphAssembler.Implementation.FAST),
                InputType.convolutional(v.getHeight(), v.getWidth(), a.inChannels())).paramsTotal();
    }

    @Override
    public String describe(SearchEpoch row) {
        StringBuilder live = new StringBuilder();
        for (SearchEpoch.Cell c : row.cells()) {
            live.append(live.isEmpty() ? "" : " ").append(c.level()).append(' ').append(c.live()).append('/')
                    .append(c.channels()).append(String.format(Locale.ROOT, " d%.2f", c.depth()));
        }
        return String.format(Locale.ROOT, "          search: arch_loss %.4f  size %.3f of full  %snet params if pruned %d of %d  [%s]",
                row.archLoss(), row.sizeRatio(),
                row.netDepth() == null ? "" : String.format(Locale.ROOT, "unet depth %.2f (keeps %d)  ",
                        row.netDepth(), row.netDepthKept()),
                row.paramsIfPruned(), row.paramsFull(), live);
    }

    @Override
    public ReportSection section(List<SearchEpoch> rows) {
        if (rows.isEmpty()) {
            return null;
        }
        double[] epochs = rows.stream().mapToDouble(SearchEpoch::epoch).toArray();
        List<ReportSection.Series> live = new ArrayList<>();
        List<ReportSection.Series> depth = new ArrayList<>();
        int cells = rows.get(0).cells().size();
        for (int c = 0; c < cells; c++) {
            int cell = c;
            String name = rows.get(0).cells().get(c).level();
            live.add(new ReportSection.Series(name, perEpoch(rows, r -> {
                SearchEpoch.Cell x = r.cells().get(cell);
                return x.live() / (double) x.channels();
            })));
            depth.add(new ReportSection.Series(name, perEpoch(rows, r -> r.cells().get(cell).depth())));
        }
        if (rows.get(0).netDepth() != null) {
            depth.add(new ReportSection.Series("U-Net", perEpoch(rows, SearchEpoch::netDepth)));
        }
        List<List<String>> epochRows = new ArrayList<>();
        for (SearchEpoch r : rows) {
            epochRows.add(List.of(String.valueOf(r.epoch()), num(r.ce()), num(r.archLoss()), num(r.sizeRatio()),
                    r.netDepth() == null ? "-" : num(r.netDepth()) + " (keeps " + r.netDepthKept() + ")",
                    r.paramsIfPruned() + " of " + r.paramsFull()));
        }
        List<List<String>> cellRows = new ArrayList<>();
        for (SearchEpoch.Cell c : rows.get(rows.size() - 1).cells()) {
            cellRows.add(List.of(c.level(), String.valueOf(c.channels()), String.valueOf(c.live()),
                    String.valueOf(c.steps()), String.valueOf(c.stepsKept()), num(c.depth())));
        }
        return new ReportSection("Architecture search",
                "The size loss's pull on the network while it trains; what pruning (segspark nas prune) would keep "
                        + "after each epoch.",
                List.of(new ReportSection.Chart("search-size.svg", "Size / full size", "epoch", epochs,
                                List.of(new ReportSection.Series("size ratio", perEpoch(rows, SearchEpoch::sizeRatio))), 280),
                        new ReportSection.Chart("search-live.svg", "Live channels per cell (share of the cell's channels)",
                                "epoch", epochs, live, 320),
                        new ReportSection.Chart("search-depth.svg", "Learnt depths", "epoch", epochs, depth, 320)),
                List.of(new ReportSection.Table(null, List.of("epoch", "CE", "arch loss", "size ratio", "U-Net depth",
                                "parameters if pruned"), epochRows, false),
                        new ReportSection.Table("Before and after: each cell as built, and what pruning keeps after the "
                                + "last epoch.", List.of("cell", "channels", "kept", "steps", "kept", "depth"), cellRows, true)));
    }

    private static double[] perEpoch(List<SearchEpoch> rows, ToDoubleFunction<SearchEpoch> f) {
        return rows.stream().mapToDouble(f).toArray();
    }

    private static String num(Double d) {
        return d == null ? "null" : String.format(Locale.ROOT, "%.4g", d);
    }
}
