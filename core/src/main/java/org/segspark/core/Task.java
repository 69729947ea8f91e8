package org.segspark.core;

/** What a model predicts: one class per image or one class per pixel. */
public enum Task {
    CLASSIFICATION, SEGMENTATION;

    public String id() {
        return name().toLowerCase(java.util.Locale.ROOT);
    }
}
