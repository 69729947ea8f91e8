package org.segspark.models;

import java.util.List;
import java.util.Map;

/**
 * Models defined in modules that build on this one (the nas module's searchable networks), found
 * with {@link java.util.ServiceLoader} so the registry stays the one place models are named.
 */
public interface ModelProvider {
    List<ModelSpec> models();

    /**
     * Layer classes saved networks may name by an earlier name (the class has moved since):
     * old fully qualified name to the class now.
     */
    default Map<String, Class<?>> renamedClasses() {
        return Map.of();
    }
}
