package org.segspark.nas.size;

import java.util.Arrays;
import java.util.function.DoublePredicate;
import org.nd4j.linalg.factory.Nd4j;

import org.segspark.nas.architecture.NasLayout;

import org.segspark.nas.architecture.NasArchitecture;
import org.segspark.nas.architecture.SizeObjective;
import org.segspark.nas.layers.ChannelGateParams;
import org.segspark.nas.layers.GaussianDepthVertex;
import org.segspark.nas.layers.LearnableChannelGate;

import org.deeplearning4j.nn.graph.ComputationGraph;
import org.nd4j.linalg.api.ndarray.INDArray;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The search network's size, its architecture loss and the loss's gradient, read from the
 * network's current parameters; and what pruning would keep now (live channels, steps, U-Net depth).
 *
 * <p>size = sum over U-Net levels j of lambda_j * (size of encoder cell j + size of decoder cell
 * j - 1), each cell's size from {@link CellSize} by the objective's measure. Measured as pruned,
 * lambda_j is 1 for the levels pruning keeps and 0 above, with sigmoid(depth - j + 1/2)'s derivative
 * passed straight through; relaxed, lambda_j = 1 for levels every candidate depth has (j <= min
 * depth) and sigmoid(depth - j + 1/2) above, so a level counts half where rounding the depth starts
 * dropping it (the seed's slip of counting the wrong level as the bottleneck is not repeated). The
 * full size is the same sum with every channel, step and level kept (relaxed: every gate open and
 * every depth at its maximum). The ratio size / full is what the objective compares with its target.
 */
public final class NetworkSize {
    /** Channels of the norm variant at or below this 1x1 row norm are pruned (the seed's threshold). */
    public static final double NORM_THRESHOLD = 0.01;

    private NetworkSize() {
    }

    /**
     * One cell now.
     *
     * @param cell         the cell's name (its canonical copy)
     * @param channels     its channels
     * @param kept         the channels whose importance clears pruning's threshold (gate above 0.5,
     *                     1x1 row norm above 0.01)
     * @param strongest    the channel of highest importance (what a cell keeps when none clears it)
     * @param softChannels the relaxed channel count (sum of gates, or of erf of the row norms)
     * @param depth        its learnt convolution depth (1 for a one-step cell)
     * @param steps        its convolution steps
     * @param stepsKept    steps pruning would keep
     */
    public record CellState(String cell, int channels, int[] kept, int strongest, double softChannels, double depth,
                            int steps, int stepsKept) {
        /** Channels pruning keeps by the threshold alone. */
        public int live() {
            return kept.length;
        }
    }

    /**
     * The network now.
     *
     * @param size         the size as the objective measures it
     * @param full         full size
     * @param loss         the objective's value at size / full
     * @param netDepth     the learnt U-Net depth (null when not relaxed)
     * @param netDepthKept U-Net levels pruning would keep
     * @param gradient     d loss / d parameter for the canonical copies (added to their gradients while training)
     */
    public record Value(double size, double full, double loss, Double netDepth, int netDepthKept, List<CellState> cells,
                        Map<TiedParameters.Ref, INDArray> gradient) {
        public double ratio() {
            return size / full;
        }
    }

    public static Value of(ComputationGraph net, NasArchitecture a) {
        if (!a.searching()) {
            throw new IllegalArgumentException("size losses are defined for search networks, not " + a.mode() + " ones");
        }
        Double netDepth = null;
        int kept = a.maxDepth();
        int choices = a.maxDepth() - a.minDepth() + 1;
        TiedParameters.Ref netRef = new TiedParameters.Ref(NasLayout.NET_DEPTH, GaussianDepthVertex.DEPTH);
        if (a.depthRelaxed()) {
            double p = GraphParams.param(net, netRef).getDouble(0);
            netDepth = a.minDepth() - 1 + p;
            kept = a.minDepth() - 1 + GaussianDepthVertex.kept(p, choices);
        }
        boolean relaxed = a.objective().relaxed();
        double[] lambda = new double[a.maxDepth() + 2];
        double[] dLambda = new double[a.maxDepth() + 2];
        for (int j = 1; j <= a.maxDepth(); j++) {
            double soft = netDepth == null || j <= a.minDepth() ? 1 : sigmoid(netDepth - j + 0.5);
            lambda[j] = relaxed ? soft : j <= kept ? 1 : 0;
            dLambda[j] = soft * (1 - soft);
        }
        record Part(String prefix, int level, NasArchitecture.Cell def, CellSize.Value v, INDArray w, double[] norms) {
        }
        List<Part> parts = new ArrayList<>();
        List<CellState> states = new ArrayList<>();
        double size = 0, full = 0;
        double[] levelSize = new double[a.maxDepth() + 2];
        for (int e = 0; e < 2; e++) {
            boolean encoder = e == 0;
            int count = encoder ? a.maxDepth() : a.decoder().size();
            for (int j = 1; j <= count; j++) {
                NasArchitecture.Cell def = NasLayout.def(a, encoder, j);
                String prefix = NasLayout.canonical(a, encoder, j);
                int level = encoder ? j : j + 1;
                CellSize rs = new CellSize(9.0 * def.channels() + 2, def.steps());
                double[][] terms;
                double[] norms = null;
                INDArray w = null;
                double[] importance;
                DoublePredicate keeps;
                if (a.variant().equals(NasArchitecture.GATE)) {
                    importance = GraphParams.param(net, new TiedParameters.Ref(prefix + "_gate0", ChannelGateParams.SCORE))
                            .toDoubleVector();
                    terms = CellSize.gateTerms(importance);
                    keeps = LearnableChannelGate::kept;
                } else {
                    w = GraphParams.param(net, new TiedParameters.Ref(prefix + "_proj", "W"))
                            .reshape(def.channels(), def.channels());
                    norms = w.norm2(1).toDoubleVector();
                    importance = norms;
                    terms = CellSize.normTerms(norms);
                    keeps = n -> n > NORM_THRESHOLD;
                }
                double depth = def.steps() > 1 ? GraphParams.param(net,
                        new TiedParameters.Ref(prefix + "_depth", GaussianDepthVertex.DEPTH)).getDouble(0) : 1.0;
                int strongest = 0;
                List<Integer> keptChannels = new ArrayList<>();
                for (int c = 0; c < importance.length; c++) {
                    if (keeps.test(importance[c])) {
                        keptChannels.add(c);
                    }
                    strongest = importance[c] > importance[strongest] ? c : strongest;
                }
                CellSize.Value v = relaxed ? rs.relaxed(terms, depth) : rs.pruned(terms, Math.max(1, keptChannels.size()), depth);
                full += relaxed ? rs.relaxed(new double[][]{filled(def.channels(), 1), new double[def.channels()]},
                        def.steps()).size() : rs.full(def.channels());
                size += lambda[level] * v.size();
                levelSize[level] += v.size();
                double soft = 0;
                for (double t : terms[0]) {
                    soft += t;
                }
                parts.add(new Part(prefix, level, def, v, w, norms));
                states.add(new CellState(prefix, def.channels(), keptChannels.stream().mapToInt(Integer::intValue).toArray(),
                        strongest, soft, depth, def.steps(), rs.stepsKept(depth)));
            }
        }
        SizeObjective o = a.objective();
        double ratio = size / full;
        double coef = o.derivative(ratio) / full;
        Map<TiedParameters.Ref, INDArray> grad = new LinkedHashMap<>();
        for (Part p : parts) {
            double l = lambda[p.level()] * coef;
            int ch = p.def().channels();
            if (a.variant().equals(NasArchitecture.GATE)) {
                double[] d = new double[ch];
                for (int c = 0; c < ch; c++) {
                    d[c] = l * p.v().dChannel()[c];
                }
                grad.put(new TiedParameters.Ref(p.prefix() + "_gate0", ChannelGateParams.SCORE),
                        Nd4j.createFromArray(d).reshape(1, ch));
            } else {
                INDArray dw = p.w().dup();
                for (int c = 0; c < ch; c++) {
                    double n = p.norms()[c];
                    dw.getRow(c).muli(n > 0 ? l * p.v().dChannel()[c] / n : 0);
                }
                grad.put(new TiedParameters.Ref(p.prefix() + "_proj", "W"), dw.reshape(ch, ch, 1, 1));
            }
            if (p.def().steps() > 1) {
                grad.put(new TiedParameters.Ref(p.prefix() + "_depth", GaussianDepthVertex.DEPTH),
                        Nd4j.scalar(l * p.v().dDepth()).reshape(1, 1));
            }
        }
        if (netDepth != null) {
            double d = 0;
            for (int j = a.minDepth() + 1; j <= a.maxDepth(); j++) {
                d += dLambda[j] * levelSize[j];
            }
            grad.put(netRef, Nd4j.scalar(coef * d).reshape(1, 1));
        }
        return new Value(size, full, o.value(ratio), netDepth, kept, states, grad);
    }

    private static double sigmoid(double x) {
        return 1 / (1 + Math.exp(-x));
    }

    private static double[] filled(int n, double v) {
        double[] a = new double[n];
        Arrays.fill(a, v);
        return a;
    }
}
