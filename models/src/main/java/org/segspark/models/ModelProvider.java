package org.segspark.models;

import java.util.List;

/**
 * Models defined in modules that build on this one (the nas module's searchable networks), found
 * with {@link java.util.ServiceLoader} so the registry stays the one place models are named.
 */
public interface ModelProvider {
    List<ModelSpec> models();
}
