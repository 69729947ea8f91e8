package org.segspark.preprocess.io;

/**
 * Every run accounts for every input: inputs = written + rejected. A run whose books do not
 * balance fails instead of silently losing data.
 */
public record Accounting(long inputs, long written, long rejected) {

    public static Accounting check(long inputs, long written, long rejected) {
        if (inputs != written + rejected) {
            throw new IllegalStateException("accounting does not balance: inputs " + inputs + " != written "
                    + written + " + rejected " + rejected + " (" + (inputs - written - rejected) + " unaccounted)");
        }
        return new Accounting(inputs, written, rejected);
    }

    @Override
    public String toString() {
        return "inputs " + inputs + " = written " + written + " + rejected " + rejected;
    }
}
