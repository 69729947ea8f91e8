package org.segspark.nas;

import org.segspark.nas.architecture.SizeObjective;
import org.segspark.nas.size.RelaxedCellSize;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** The relaxed size and the size loss: values at known points, derivatives against finite differences. */
class SizeTermsTest {
    private static final double H = 1e-6;

    @Test
    void aCellsRelaxedSizeAndItsPartialsAgreeWithFiniteDifferences() {
        RelaxedCellSize cell = new RelaxedCellSize(27.0, 3);
        double[] s = {1.0, -0.3, 0.2, 0.0};
        double depth = 2.4;
        RelaxedCellSize.Value v = cell.of(RelaxedCellSize.gateTerms(s), depth);
        for (int c = 0; c < s.length; c++) {
            double[] up = s.clone(), down = s.clone();
            up[c] += H;
            down[c] -= H;
            double numeric = (cell.of(RelaxedCellSize.gateTerms(up), depth).size()
                    - cell.of(RelaxedCellSize.gateTerms(down), depth).size()) / (2 * H);
            assertEquals(numeric, v.dChannel()[c], 1e-6 * Math.max(1, Math.abs(numeric)), "channel " + c);
        }
        double numericDepth = (cell.of(RelaxedCellSize.gateTerms(s), depth + H).size()
                - cell.of(RelaxedCellSize.gateTerms(s), depth - H).size()) / (2 * H);
        assertEquals(numericDepth, v.dDepth(), 1e-6 * Math.max(1, Math.abs(numericDepth)));

        double[] norms = {0.5, 0.01, 2.0};
        RelaxedCellSize.Value n = cell.of(RelaxedCellSize.normTerms(norms), depth);
        double[] up = norms.clone(), down = norms.clone();
        up[0] += H;
        down[0] -= H;
        double numeric = (cell.of(RelaxedCellSize.normTerms(up), depth).size()
                - cell.of(RelaxedCellSize.normTerms(down), depth).size()) / (2 * H);
        assertEquals(numeric, n.dChannel()[0], 1e-5 * Math.max(1, Math.abs(numeric)));
    }

    @Test
    void fullyOpenCellsApproachTheFullSize() {
        RelaxedCellSize cell = new RelaxedCellSize(10, 2);
        // gates of s = 3 are 1 - 3e-7; sigmoid(depth - i) for depth 20 is 1 - 2e-8
        double size = cell.of(RelaxedCellSize.gateTerms(new double[] {3, 3, 3}), 20).size();
        assertEquals(cell.full(3), size, 1e-4 * cell.full(3));
        assertEquals(0.8427007929, RelaxedCellSize.erf(1.0), 2e-7);
        assertEquals(-0.5204998778, RelaxedCellSize.erf(-0.5), 2e-7);
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
    }
}
