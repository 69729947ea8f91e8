package org.segspark.models;

/**
 * A registry entry: a named architecture, the reference it is faithful to, its default
 * configuration and the reference's figures at that configuration.
 */
public record ModelSpec(String name, Task task, String description, String reference, ModelConfig defaults,
                        ReferenceFigures figures, ModelBuilder builder) {
}
