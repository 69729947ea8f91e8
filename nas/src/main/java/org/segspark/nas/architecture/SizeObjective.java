package org.segspark.nas.architecture;

/**
 * The architecture term of the search loss, k * f(r, target) for the size ratio r = size / full
 * size: f = MSE, (r - target)^2, or L1, |r - target|; the seed's classification test used the
 * plain ratio (f = r, "linear"), which keeps shrinking.
 *
 * @param k       the term's weight
 * @param target  the size ratio aimed at (ignored by linear)
 * @param f       mse, l1 or linear
 * @param measure how the size is counted: pruned (what pruning would keep now, straight-through
 *                gradients) or relaxed (the seed's soft count); see {@code CellSize}
 */
public record SizeObjective(double k, double target, String f, String measure) {
    public static final String PRUNED = "pruned";
    public static final String RELAXED = "relaxed";

    public SizeObjective {
        if (!(k >= 0) || Double.isInfinite(k)) {
            throw new IllegalArgumentException("size loss weight k must be finite and >= 0, got " + k);
        }
        if (!(target >= 0 && target <= 1)) {
            throw new IllegalArgumentException("size target must be in [0, 1], got " + target);
        }
        if (!f.equals("mse") && !f.equals("l1") && !f.equals("linear")) {
            throw new IllegalArgumentException("size loss f must be mse, l1 or linear, got \"" + f + "\"");
        }
        if (!measure.equals(PRUNED) && !measure.equals(RELAXED)) {
            throw new IllegalArgumentException("size measure must be pruned or relaxed, got \"" + measure + "\"");
        }
    }

    /** The objective on the pruned size. */
    public SizeObjective(double k, double target, String f) {
        this(k, target, f, PRUNED);
    }

    public boolean relaxed() {
        return measure.equals(RELAXED);
    }

    /** The term's value at ratio r. */
    public double value(double r) {
        return k * switch (f) {
            case "mse" -> (r - target) * (r - target);
            case "l1" -> Math.abs(r - target);
            default -> r;
        };
    }

    /** d value / d r (L1's subgradient is 0 at the target). */
    public double derivative(double r) {
        return k * switch (f) {
            case "mse" -> 2 * (r - target);
            case "l1" -> Math.signum(r - target);
            default -> 1;
        };
    }
}
