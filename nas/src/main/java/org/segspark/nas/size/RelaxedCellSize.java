package org.segspark.nas.size;

import org.segspark.nas.layers.LearnableChannelGate;

/**
 * A search cell's relaxed size (the seed's formula): the parameters per channel of one
 * convolution step, times the soft count of live channels, times the soft count of steps,
 * size = perChannel * sum_c a_c * sum_{i=0}^{steps-1} sigmoid(depth - i), with a_c = sigmoid(5 s_c)
 * for the gate variant or erf(||W_c||) (the norm of channel c's row of the cell's 1x1 convolution)
 * for the norm variant. Its partial derivatives are what the size loss adds to those parameters'
 * gradients.
 *
 * @param perChannel parameters per channel of one step
 * @param steps      the cell's convolution steps (its maximum depth)
 */
public record RelaxedCellSize(double perChannel, int steps) {

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

    /** size, d size / d (the variable behind each a_c), d size / d depth; {@code terms} from gateTerms or normTerms. */
    public Value of(double[][] terms, double depth) {
        double channels = 0;
        for (double a : terms[0]) {
            channels += a;
        }
        double stepCount = 0, dStepCount = 0;
        for (int i = 0; i < steps; i++) {
            double sg = 1 / (1 + Math.exp(-(depth - i)));
            stepCount += sg;
            dStepCount += sg * (1 - sg);
        }
        double[] dChannel = new double[terms[0].length];
        for (int c = 0; c < dChannel.length; c++) {
            dChannel[c] = perChannel * terms[1][c] * stepCount;
        }
        return new Value(perChannel * channels * stepCount, dChannel, perChannel * channels * dStepCount);
    }

    /** The full size: every channel and step at 1. */
    public double full(int channels) {
        return perChannel * channels * steps;
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
