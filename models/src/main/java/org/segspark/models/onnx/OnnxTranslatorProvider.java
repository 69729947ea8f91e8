package org.segspark.models.onnx;

import java.util.List;

/**
 * Translators for vertices defined outside this module (the search layers of the nas module),
 * found with {@link java.util.ServiceLoader} so that the models module does not depend on them.
 */
public interface OnnxTranslatorProvider {
    List<VertexTranslator> translators();
}
