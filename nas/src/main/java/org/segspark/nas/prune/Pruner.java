package org.segspark.nas.prune;

import java.util.Arrays;

import org.segspark.models.weights.WeightTransfer;

import org.segspark.nas.architecture.NasLayout;

import org.segspark.nas.architecture.NasArchitecture;
import org.segspark.nas.graph.NasGraph;
import org.segspark.nas.layers.ChannelGateParams;
import org.segspark.nas.size.GraphParams;
import org.segspark.nas.size.NetworkSize;
import org.segspark.nas.size.TiedParameters;

import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.segspark.models.graph.GraphAssembler;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Turns a search network into the physically smaller plain network its relaxations have chosen:
 * a cell keeps the channels whose gate is above 0.5 (gate variant) or whose 1x1 row norm is above
 * 0.01 (norm variant) in every convolution, batch norm, 1x1 and residual of the cell, and in the
 * inputs of whatever reads the cell (the next cell, the up-convolution, the skip concatenation,
 * the head); it keeps round(depth) convolution steps and round(U-Net depth) levels. A cell whose
 * every channel would go keeps its strongest one.
 */
public final class Pruner {
    private Pruner() {
    }

    /**
     * What pruning keeps.
     *
     * @param channels  kept channel indices per cell, by canonical cell name
     * @param steps     kept steps per cell
     * @param netDepth  kept U-Net levels
     */
    public record Decisions(Map<String, int[]> channels, Map<String, Integer> steps, int netDepth) {
    }

    /** The pruned network, its definition and what was kept. */
    public record Result(NasArchitecture architecture, ComputationGraph net, Decisions decisions) {
    }

    public static Decisions decisions(ComputationGraph search, NasArchitecture a) {
        return decisions(NetworkSize.of(search, a));
    }

    /** The decisions of a network's state already read. */
    public static Decisions decisions(NetworkSize.Value v) {
        Map<String, int[]> channels = new LinkedHashMap<>();
        Map<String, Integer> steps = new LinkedHashMap<>();
        for (NetworkSize.CellState c : v.cells()) {
            channels.put(c.cell(), c.live() > 0 ? c.kept() : new int[]{c.strongest()});
            steps.put(c.cell(), c.stepsKept());
        }
        return new Decisions(channels, steps, v.netDepthKept());
    }

    /** The plain definition of what the decisions keep (U-Net depths searchable again from min(min, kept) to kept). */
    public static NasArchitecture prunedArchitecture(NasArchitecture a, Decisions d) {
        List<NasArchitecture.Cell> enc = new ArrayList<>();
        List<NasArchitecture.Cell> dec = new ArrayList<>();
        int depth = d.netDepth();
        for (int j = 1; j <= depth; j++) {
            String c = NasLayout.canonical(a, true, j);
            enc.add(new NasArchitecture.Cell(d.channels().get(c).length, d.steps().get(c)));
        }
        if (a.isUnet()) {
            for (int j = 1; j < depth; j++) {
                String c = NasLayout.canonical(a, false, j);
                dec.add(new NasArchitecture.Cell(d.channels().get(c).length, d.steps().get(c)));
            }
        }
        return new NasArchitecture(a.kind(), a.inChannels(), a.classes(), a.variant(),
                a.isUnet() ? Math.min(a.minDepth(), depth) : depth, depth, enc, dec, NasArchitecture.PLAIN, a.objective(), a.archLr());
    }

    public static Result prune(ComputationGraph search, NasArchitecture a, int height, int width,
                               NeuralNetConfiguration.Builder base) {
        Decisions d = decisions(search, a);
        NasArchitecture p = prunedArchitecture(a, d);
        ComputationGraph plain = new ComputationGraph(NasGraph.build(p, height, width, base, GraphAssembler.Implementation.FAST));
        plain.init();
        copyKept(search, a, d, plain);
        return new Result(p, plain, d);
    }

    /** The search network with every relaxation at its decision (gates 0/1, one-hot depths): what pruning must equal. */
    public static ComputationGraph hardMasked(ComputationGraph search, NasArchitecture a, int height, int width,
                                              NeuralNetConfiguration.Builder base) {
        Decisions d = decisions(search, a);
        NasArchitecture h = a.withMode(NasArchitecture.HARD);
        ComputationGraph hard = new ComputationGraph(NasGraph.build(h, height, width, base, GraphAssembler.Implementation.FAST));
        hard.init();
        WeightTransfer.copyByName(search, hard, false);
        for (NasLayout.CellRef c : NasLayout.cells(h)) {
            String canonical = NasLayout.canonical(h, c.encoder(), c.level());
            int[] keep = d.channels().get(canonical);
            List<String> gates = new ArrayList<>(NasLayout.gates(c.prefix(), NasLayout.def(h, c.encoder(), c.level()).steps()));
            if (!c.encoder()) {
                gates.add(NasLayout.up(h, c.level(), c.path()) + "_gate");
            }
            for (String g : gates) {
                INDArray s = GraphParams.param(hard, new TiedParameters.Ref(g, ChannelGateParams.SCORE));
                s.assign(-1);
                for (int k : keep) {
                    s.putScalar(0, k, 1);
                }
            }
        }
        return hard;
    }

    private static void copyKept(ComputationGraph search, NasArchitecture a, Decisions d, ComputationGraph plain) {
        int depth = d.netDepth();
        int[] in = range(a.inChannels());
        for (int j = 1; j <= depth; j++) {
            String c = NasLayout.encoder(j);
            copyCell(search, c, plain, c, in, d.channels().get(c), d.steps().get(c));
            in = d.channels().get(c);
        }
        if (!a.isUnet()) {
            copy(search, plain, NasLayout.OUTPUT, NasLayout.OUTPUT, "W", 0, in, -1, null);
            copy(search, plain, NasLayout.OUTPUT, NasLayout.OUTPUT, "b", -1, null, -1, null);
            return;
        }
        for (int j = depth - 1; j >= 1; j--) {
            String canonical = NasLayout.canonical(a, false, j);
            int[] keep = d.channels().get(canonical);
            String up = NasLayout.up(a, j, depth);
            String plainUp = "up" + j;
            // transposed convolution weights are [in, out, kh, kw]
            copy(search, plain, up, plainUp, "W", 0, in, 1, keep);
            copy(search, plain, up, plainUp, "b", 1, keep, -1, null);
            int[] encKeep = d.channels().get(NasLayout.encoder(j));
            int upChannels = a.decoder().get(j - 1).channels();
            int[] catKeep = new int[keep.length + encKeep.length];
            System.arraycopy(keep, 0, catKeep, 0, keep.length);
            for (int i = 0; i < encKeep.length; i++) {
                catKeep[keep.length + i] = upChannels + encKeep[i];
            }
            copyCell(search, NasLayout.decoder(a, j, depth), plain, "dec" + j, catKeep, keep, d.steps().get(canonical));
            in = keep;
        }
        copy(search, plain, NasLayout.HEAD, NasLayout.HEAD, "W", 1, in, -1, null);
        copy(search, plain, NasLayout.HEAD, NasLayout.HEAD, "b", -1, null, -1, null);
    }

    private static void copyCell(ComputationGraph search, String from, ComputationGraph plain, String to, int[] in,
                                 int[] keep, int steps) {
        copy(search, plain, from + "_conv0", to + "_conv0", "W", 0, keep, 1, in);
        copyBn(search, plain, from + "_bn0", to + "_bn0", keep);
        for (int i = 1; i <= steps; i++) {
            copy(search, plain, from + "_conv" + i, to + "_conv" + i, "W", 0, keep, 1, keep);
            copyBn(search, plain, from + "_bn" + i, to + "_bn" + i, keep);
        }
        copy(search, plain, from + "_proj", to + "_proj", "W", 0, keep, 1, keep);
        copy(search, plain, from + "_proj", to + "_proj", "b", 1, keep, -1, null);
    }

    private static void copyBn(ComputationGraph search, ComputationGraph plain, String from, String to, int[] keep) {
        for (String key : plain.getLayer(to).paramTable().keySet()) {
            copy(search, plain, from, to, key, 1, keep, -1, null);
        }
    }

    /** Copies a parameter keeping indices {@code i0} of dimension {@code d0} and {@code i1} of {@code d1} (-1: none). */
    private static void copy(ComputationGraph search, ComputationGraph plain, String from, String to, String key,
                             int d0, int[] i0, int d1, int[] i1) {
        INDArray src = search.getLayer(from).getParam(key);
        INDArray dst = plain.getLayer(to).getParam(key);
        // per-channel vectors are [C] or [1, C]: their channel dimension is the last
        INDArray sliced = select(src, Math.min(d0, src.rank() - 1), i0);
        sliced = select(sliced, d1, i1);
        if (!Arrays.equals(sliced.shape(), dst.shape())) {
            throw new IllegalStateException("pruning " + from + "." + key + " gave " + Arrays.toString(sliced.shape())
                    + " for " + to + " of " + Arrays.toString(dst.shape()));
        }
        dst.assign(sliced);
    }

    /** Keeps indices {@code keep} of dimension {@code dim} (ND4J 1.0.0-M2.1's get() with index lists fails on these views). */
    private static INDArray select(INDArray a, int dim, int[] keep) {
        if (dim < 0) {
            return a;
        }
        int rank = a.rank();
        int[] perm = new int[rank];
        perm[0] = dim;
        for (int i = 0, j = 1; i < rank; i++) {
            if (i != dim) {
                perm[j++] = i;
            }
        }
        INDArray moved = a.permute(perm).dup('c');
        long rest = moved.length() / moved.size(0);
        INDArray rows = moved.reshape('c', moved.size(0), rest);
        INDArray out = Nd4j.create(a.dataType(), keep.length, rest);
        for (int i = 0; i < keep.length; i++) {
            out.putRow(i, rows.getRow(keep[i]));
        }
        long[] shape = moved.shape().clone();
        shape[0] = keep.length;
        int[] back = new int[rank];
        for (int i = 0; i < rank; i++) {
            back[perm[i]] = i;
        }
        return out.reshape('c', shape).permute(back).dup('c');
    }

    private static long[] toLong(int[] a) {
        long[] out = new long[a.length];
        for (int i = 0; i < a.length; i++) {
            out[i] = a[i];
        }
        return out;
    }

    private static int[] range(int n) {
        int[] a = new int[n];
        for (int i = 0; i < n; i++) {
            a[i] = i;
        }
        return a;
    }
}
