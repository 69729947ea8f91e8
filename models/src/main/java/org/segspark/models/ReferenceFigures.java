package org.segspark.models;

/**
 * What the reference implementation reports for a model at its default configuration: trainable
 * parameters and multiply-accumulates per image (conv, transposed conv and dense layers).
 *
 * @param source which implementation the figures come from and how they were obtained
 */
public record ReferenceFigures(long trainableParams, long macs, String source) {
}
