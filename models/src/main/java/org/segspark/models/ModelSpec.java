package org.segspark.models;

import org.segspark.core.Task;

import org.deeplearning4j.nn.graph.ComputationGraph;

import java.util.function.Consumer;

/**
 * A registry entry: a named architecture, the reference it is faithful to, its default
 * configuration, the reference's figures at that configuration, and what to set after the
 * network's random initialisation (fixed bilinear kernels, zero-initialised layers), if anything.
 */
public record ModelSpec(String name, Task task, String description, String reference, ModelConfig defaults,
                        ReferenceFigures figures, ModelBuilder builder, Consumer<ComputationGraph> initializer) {

    public ModelSpec(String name, Task task, String description, String reference, ModelConfig defaults,
                     ReferenceFigures figures, ModelBuilder builder) {
        this(name, task, description, reference, defaults, figures, builder, net -> {
        });
    }
}
