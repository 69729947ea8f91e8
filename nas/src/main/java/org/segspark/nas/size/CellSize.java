package org.segspark.nas.size;

import org.segspark.nas.layers.GaussianDepthVertex;
import org.segspark.nas.layers.LearnableChannelGate;

/**
 * A search cell's size, parameters per channel of one convolution step times channels times steps,
 * measured two ways.
 *
 * <ul>
 *   <li><b>relaxed</b> (the seed's formula): perChannel * sum_c a_c * sum_{i=0}^{steps-1} sigmoid(depth - i),
 *       with a_c = sigmoid(5 s_c) for the gate variant or erf(||W_c||) (the norm of channel c's row of
 *       the cell's 1x1 convolution) for the norm variant.</li>
 *   <li><b>pruned</b>: perChannel * (channels pruning keeps) * (steps pruning keeps), the size of the
 *       cell {@code nas prune} would make now. Its derivatives are straight-through: each factor's
 *       relaxed derivative times the other factor's pruned value, the steps' relaxation centred where
 *       rounding the depth adds a step (depth = i + 1/2). The relaxed size can meet its target while
 *       pruning keeps almost everything: a gate at 0.6 counts 0.6 yet survives, and a depth far below
 *       1 counts no step where pruning keeps one.</li>
 * </ul>
 *
 * @param perChannel parameters per channel of one step
 * @param steps      the cell's convolution steps (its maximum depth)
 */
public record CellSize(double perChannel, int steps) {

    /** The size and its partials for one cell's current parameters. */
    public record Value(double size, double[] dChannel, double dDepth) {
    }

    /** Soft channel count terms a_c and their derivatives for the gate variant (scores s). */
    public static double[][] gateTerms(double[] s) {
        double[][] out = new double[2][s.length];
        for (int c = 0; c < s.length; c++) {
            double g = LearnableChannelGate.gate(s[c]);
            out[0][c] = g;
            out[1][c] = LearnableChannelGate.SLOPE * g * (1 - g);
        }
        return out;
    }

    /** Soft channel count terms erf(n_c) and their derivatives 2/sqrt(pi) exp(-n_c^2) for row norms n (norm variant). */
    public static double[][] normTerms(double[] norms) {
        double[][] out = new double[2][norms.length];
        for (int c = 0; c < norms.length; c++) {
            out[0][c] = erf(norms[c]);
            out[1][c] = 2 / Math.sqrt(Math.PI) * Math.exp(-norms[c] * norms[c]);
        }
        return out;
    }

    /** The relaxed size, d size / d (the variable behind each a_c), d size / d depth; {@code terms} from gateTerms or normTerms. */
    public Value relaxed(double[][] terms, double depth) {
        double channels = 0;
        for (double a : terms[0]) {
            channels += a;
        }
        double stepCount = 0, dStepCount = 0;
        for (int i = 0; i < steps; i++) {
            double sg = sigmoid(depth - i);
            stepCount += sg;
            dStepCount += sg * (1 - sg);
        }
        double[] dChannel = new double[terms[0].length];
        for (int c = 0; c < dChannel.length; c++) {
            dChannel[c] = perChannel * terms[1][c] * stepCount;
        }
        return new Value(perChannel * channels * stepCount, dChannel, perChannel * channels * dStepCount);
    }

    /**
     * The pruned size and its straight-through partials; {@code live} is the channels pruning keeps
     * (at least one: a cell whose channels all fall below the threshold keeps its strongest).
     */
    public Value pruned(double[][] terms, int live, double depth) {
        int kept = stepsKept(depth);
        double dSteps = 0;
        for (int i = 1; i < steps; i++) {
            double sg = sigmoid(depth - i - 0.5);
            dSteps += sg * (1 - sg);
        }
        double[] dChannel = new double[terms[0].length];
        for (int c = 0; c < dChannel.length; c++) {
            dChannel[c] = perChannel * terms[1][c] * kept;
        }
        return new Value(perChannel * live * kept, dChannel, perChannel * live * dSteps);
    }

    /** The steps pruning keeps at this depth: clamp(round(depth), 1, steps). */
    public int stepsKept(double depth) {
        return GaussianDepthVertex.kept(depth, steps);
    }

    /** The full size: every channel and step at 1. */
    public double full(int channels) {
        return perChannel * channels * steps;
    }

    private static double sigmoid(double x) {
        return 1 / (1 + Math.exp(-x));
    }

    /** erf to 1.2e-7 (Abramowitz and Stegun 7.1.26 refined by Numerical Recipes' erfc Chebyshev fit). */
    public static double erf(double x) {
        double t = 1 / (1 + 0.5 * Math.abs(x));
        double y = 1 - t * Math.exp(-x * x - 1.26551223 + t * (1.00002368 + t * (0.37409196 + t * (0.09678418
                + t * (-0.18628806 + t * (0.27886807 + t * (-1.13520398 + t * (1.48851587
                + t * (-0.82215223 + t * 0.17087277)))))))));
        return x >= 0 ? y : -y;
    }
}
