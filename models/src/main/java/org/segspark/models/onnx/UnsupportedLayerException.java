package org.segspark.models.onnx;

/** A vertex the exporter cannot write as ONNX without changing what it computes. */
public class UnsupportedLayerException extends IllegalArgumentException {
    private static final long serialVersionUID = 1L;

    public UnsupportedLayerException(String vertex, Object conf, String why) {
        super("cannot export vertex \"" + vertex + "\" (" + conf.getClass().getSimpleName() + ") to ONNX: " + why);
    }
}
