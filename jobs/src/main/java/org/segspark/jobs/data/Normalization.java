package org.segspark.jobs.data;

import org.segspark.core.config.Choice;

/** How input pixels are scaled before the network sees them: the data set's mean and std, or each image's own. */
public enum Normalization implements Choice {
    DATASET, IMAGE;

    public static Normalization parse(String s) {
        return Choice.parse(Normalization.class, s, "normalization");
    }
}
