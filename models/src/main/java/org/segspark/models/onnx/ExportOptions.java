package org.segspark.models.onnx;

import java.util.Map;

/**
 * How to write a network as ONNX.
 *
 * @param opset          the ONNX operator set, 13 to 17 (TensorRT 8.6 and 10 read both ends)
 * @param batch          the input's fixed batch size, or 0 for a dynamic batch axis named "batch"
 * @param foldBatchNorm  fold each batch norm that directly follows a convolution into its weights
 * @param normalization  normalisation to build into the graph (input then takes pixel values 0-255), or null
 * @param metadata       key/value pairs stored as the model's metadata_props
 */
public record ExportOptions(int opset, int batch, boolean foldBatchNorm, InputNormalization normalization,
                            Map<String, String> metadata) {
    public static final int DEFAULT_OPSET = 17;
    public static final int MIN_OPSET = 13;
    public static final int MAX_OPSET = 17;

    public ExportOptions {
        if (opset < MIN_OPSET || opset > MAX_OPSET) {
            throw new IllegalArgumentException("opset must be " + MIN_OPSET + " to " + MAX_OPSET + ", got " + opset);
        }
        if (batch < 0) {
            throw new IllegalArgumentException("batch must be >= 1, or 0 for a dynamic batch axis; got " + batch);
        }
        metadata = metadata == null ? Map.of() : Map.copyOf(metadata);
    }

    /** Opset 17, batch 1, batch norm kept, no normalisation in the graph, no metadata. */
    public static ExportOptions defaults() {
        return new ExportOptions(DEFAULT_OPSET, 1, false, null, Map.of());
    }

    /**
     * What predict serves when a run has no export of its own: opset 17, a dynamic batch, batch
     * norm folded, no normalisation in the graph.
     */
    public static ExportOptions serving() {
        return new ExportOptions(DEFAULT_OPSET, 0, true, null, Map.of());
    }

    public ExportOptions withBatch(int b) {
        return new ExportOptions(opset, b, foldBatchNorm, normalization, metadata);
    }

    public ExportOptions withOpset(int o) {
        return new ExportOptions(o, batch, foldBatchNorm, normalization, metadata);
    }

    public ExportOptions withFoldBatchNorm(boolean f) {
        return new ExportOptions(opset, batch, f, normalization, metadata);
    }

    public ExportOptions withNormalization(InputNormalization n) {
        return new ExportOptions(opset, batch, foldBatchNorm, n, metadata);
    }

    public ExportOptions withMetadata(Map<String, String> m) {
        return new ExportOptions(opset, batch, foldBatchNorm, normalization, m);
    }
}
