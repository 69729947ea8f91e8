package org.segspark.nas;

import org.segspark.nas.architecture.SizeObjective;
import org.segspark.nas.size.CellSize;

import org.junit.jupiter.api.Test;

import java.util.Arrays;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The cell sizes and the size loss: values at known points, derivatives against finite differences. */
class SizeTermsTest {
    private static final double H = 1e-6;

    @Test
    void aCellsRelaxedSizeAndItsPartialsAgreeWithFiniteDifferences() {
        CellSize cell = new CellSize(27.0, 3);
        double[] s = {1.0, -0.3, 0.2, 0.0};
        double depth = 2.4;
        CellSize.Value v = cell.relaxed(CellSize.gateTerms(s), depth);
        for (int c = 0; c < s.length; c++) {
            double[] up = s.clone(), down = s.clone();
            up[c] += H;
            down[c] -= H;
            double numeric = (cell.relaxed(CellSize.gateTerms(up), depth).size()
                    - cell.relaxed(CellSize.gateTerms(down), depth).size()) / (2 * H);
            assertEquals(numeric, v.dChannel()[c], 1e-6 * Math.max(1, Math.abs(numeric)), "channel " + c);
        }
        double numericDepth = (cell.relaxed(CellSize.gateTerms(s), depth + H).size()
                - cell.relaxed(CellSize.gateTerms(s), depth - H).size()) / (2 * H);
        assertEquals(numericDepth, v.dDepth(), 1e-6 * Math.max(1, Math.abs(numericDepth)));

        double[] norms = {0.5, 0.01, 2.0};
        CellSize.Value n = cell.relaxed(CellSize.normTerms(norms), depth);
        double[] up = norms.clone(), down = norms.clone();
        up[0] += H;
        down[0] -= H;
        double numeric = (cell.relaxed(CellSize.normTerms(up), depth).size()
                - cell.relaxed(CellSize.normTerms(down), depth).size()) / (2 * H);
        assertEquals(numeric, n.dChannel()[0], 1e-5 * Math.max(1, Math.abs(numeric)));
    }

    @Test
    void fullyOpenCellsApproachTheFullSize() {
        CellSize cell = new CellSize(10, 2);
        // gates of s = 3 are 1 - 3e-7; sigmoid(depth - i) for depth 20 is 1 - 2e-8
        double size = cell.relaxed(CellSize.gateTerms(new double[] {3, 3, 3}), 20).size();
        assertEquals(cell.full(3), size, 1e-4 * cell.full(3));
        assertEquals(cell.full(3), cell.pruned(CellSize.gateTerms(new double[] {3, 3, 3}), 3, 2.0).size(), 0);
        assertEquals(0.8427007929, CellSize.erf(1.0), 2e-7);
        assertEquals(-0.5204998778, CellSize.erf(-0.5), 2e-7);
    }

    @Test
    void thePrunedSizeCountsWhatPruningKeepsWithStraightThroughPartials() {
        CellSize cell = new CellSize(27.0, 3);
        double[] s = {1.0, -0.3, 0.2, 0.0};
        double[][] terms = CellSize.gateTerms(s);
        // two gates above 0.5; depth 2.4 rounds to 2 steps, 2.6 to 3, -7 to the one step a cell keeps
        assertEquals(27.0 * 2 * 2, cell.pruned(terms, 2, 2.4).size(), 0);
        assertEquals(27.0 * 2 * 3, cell.pruned(terms, 2, 2.6).size(), 0);
        assertEquals(27.0 * 2 * 1, cell.pruned(terms, 2, -7).size(), 0);
        CellSize.Value v = cell.pruned(terms, 2, 2.4);
        for (int c = 0; c < s.length; c++) {
            assertEquals(27.0 * terms[1][c] * 2, v.dChannel()[c], 1e-12, "channel " + c + ": the gate's slope times the kept steps");
        }
        // d/d depth of 1 + sum_{i=1,2} sigmoid(depth - i - 1/2), times the kept channels
        double numeric = (softSteps(2.4 + H) - softSteps(2.4 - H)) / (2 * H);
        assertEquals(27.0 * 2 * numeric, v.dDepth(), 1e-6);
    }

    /**
     * What the relaxed size got wrong on Fashion-MNIST: every gate a little above the threshold and
     * a cell's depth far below 1 read as a small size, so the loss stopped pushing while pruning
     * would have kept half the cell. The pruned size still reads half, and its gradient still pushes
     * every gate down.
     */
    @Test
    void gatesJustAboveTheThresholdAndASunkenDepthStillCountAsPruningKeepsThem() {
        CellSize cell = new CellSize(9.0 * 64 + 2, 2);
        double[] s = new double[64];
        Arrays.fill(s, 0.08);
        double[][] terms = CellSize.gateTerms(s);
        SizeObjective objective = new SizeObjective(10, 0.25, "l1");
        double relaxedRatio = cell.relaxed(terms, -3).size() / cell.relaxed(new double[][] {filled(64, 1), new double[64]}, 2).size();
        double prunedRatio = cell.pruned(terms, 64, -3).size() / cell.full(64);
        assertTrue(relaxedRatio < 0.05, "relaxed: " + relaxedRatio);
        assertEquals(0.5, prunedRatio, 1e-12);
        assertTrue(objective.derivative(relaxedRatio) < 0, "the relaxed loss pulls the size back up");
        double push = objective.derivative(prunedRatio) * cell.pruned(terms, 64, -3).dChannel()[0];
        assertTrue(push > 0, "the pruned loss goes on closing gates: " + push);
    }

    private static double softSteps(double depth) {
        return 1 + 1 / (1 + Math.exp(-(depth - 1.5))) + 1 / (1 + Math.exp(-(depth - 2.5)));
    }

    private static double[] filled(int n, double v) {
        double[] a = new double[n];
        Arrays.fill(a, v);
        return a;
    }

    @Test
    void theSizeLossHasTheSeedsShapes() {
        SizeObjective mse = new SizeObjective(1e-4, 0.01, "mse");
        assertEquals(1e-4 * 0.99 * 0.99, mse.value(1.0), 1e-15);
        assertEquals(1e-4 * 2 * 0.99, mse.derivative(1.0), 1e-15);
        SizeObjective l1 = new SizeObjective(2, 0.5, "l1");
        assertEquals(0.4, l1.value(0.3), 1e-12);
        assertEquals(-2, l1.derivative(0.3), 0);
        SizeObjective linear = new SizeObjective(0.01, 0, "linear");
        assertEquals(0.005, linear.value(0.5), 1e-15);
        assertEquals(0.01, linear.derivative(0.9), 1e-15);
        assertThrows(IllegalArgumentException.class, () -> new SizeObjective(1, 0.5, "huber"));
        assertThrows(IllegalArgumentException.class, () -> new SizeObjective(-1, 0.5, "mse"));
        assertThrows(IllegalArgumentException.class, () -> new SizeObjective(1, 0.5, "l1", "soft"));
    }
}
