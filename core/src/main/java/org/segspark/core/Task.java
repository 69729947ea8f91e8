package org.segspark.core;

import java.util.Locale;

/** What a model predicts: one class per image or one class per pixel. */
public enum Task {
    CLASSIFICATION, SEGMENTATION;

    public String id() {
        return name().toLowerCase(Locale.ROOT);
    }
}
