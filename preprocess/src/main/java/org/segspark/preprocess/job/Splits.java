package org.segspark.preprocess.job;

import java.nio.charset.StandardCharsets;

/**
 * Assigns an example to train or val by a seeded hash of its key: stable across runs and machines
 * and independent of input order, so growing a data set never moves an existing example.
 */
public final class Splits {
    public static final String TRAIN = "train";
    public static final String VAL = "val";

    private Splits() {
    }

    public static String assign(String key, double valFraction, long seed) {
        return unit(key, seed) < valFraction ? VAL : TRAIN;
    }

    /** A uniform value in [0, 1) from the key and seed (64-bit FNV-1a, then a mixing finaliser). */
    public static double unit(String key, long seed) {
        long h = 0xcbf29ce484222325L ^ seed;
        for (byte b : key.getBytes(StandardCharsets.UTF_8)) {
            h ^= b & 0xff;
            h *= 0x100000001b3L;
        }
        h ^= h >>> 33;
        h *= 0xff51afd7ed558ccdL;
        h ^= h >>> 33;
        h *= 0xc4ceb9fe1a85ec53L;
        h ^= h >>> 33;
        return (h >>> 11) * 0x1.0p-53;
    }
}
