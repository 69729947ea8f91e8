package org.segspark.models.onnx;

import java.util.function.Function;

/**
 * Writes one kind of DL4J graph vertex as ONNX nodes. {@code conf} is the layer configuration of
 * a layer vertex (frozen wrappers removed) or the vertex configuration otherwise.
 */
public interface VertexTranslator {
    boolean accepts(Object conf);

    /** Adds the vertex's nodes; returns the name of the value holding its output. */
    String translate(VertexContext c);

    /** A translator for one configuration class and its subclasses. */
    static VertexTranslator of(Class<?> type, Function<VertexContext, String> write) {
        return new VertexTranslator() {
            @Override
            public boolean accepts(Object conf) {
                return type.isInstance(conf);
            }

            @Override
            public String translate(VertexContext c) {
                return write.apply(c);
            }
        };
    }
}
