package org.segspark.jobs.cli;

import java.util.Locale;

/** Parses "AxB" sizes from the command line. */
final class Sizes {
    private Sizes() {
    }

    static int[] parse(String s, String option) {
        if (s == null) {
            return null;
        }
        String[] p = s.toLowerCase(Locale.ROOT).split("x");
        try {
            if (p.length == 2) {
                int a = Integer.parseInt(p[0].trim()), b = Integer.parseInt(p[1].trim());
                if (a > 0 && b > 0) {
                    return new int[] {a, b};
                }
            }
        } catch (NumberFormatException ignored) {
            // reported below
        }
        throw new IllegalArgumentException(option + " must look like 128x96, got \"" + s + "\"");
    }
}
