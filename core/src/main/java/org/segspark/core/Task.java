package org.segspark.core;

import org.segspark.core.config.Choice;

/** What a model predicts: one class per image or one class per pixel. */
public enum Task implements Choice {
    CLASSIFICATION, SEGMENTATION;
}
