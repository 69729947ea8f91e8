package org.segspark.models;

import org.deeplearning4j.nn.graph.ComputationGraph;
import org.segspark.core.Task;

import java.util.function.Consumer;

/**
 * A registry entry: a named architecture, the reference it is faithful to, its default
 * configuration, the reference's figures at that configuration, what to set after the network's
 * random initialisation (fixed bilinear kernels, zero-initialised layers), if anything, and what
 * the model adds to a training run (its {@link RunHooks}).
 */
public record ModelSpec(String name, Task task, String description, String reference, ModelConfig defaults,
                        ReferenceFigures figures, ModelBuilder builder, Consumer<ComputationGraph> initializer,
                        RunHooks hooks) {

    public ModelSpec(String name, Task task, String description, String reference, ModelConfig defaults,
                     ReferenceFigures figures, ModelBuilder builder, Consumer<ComputationGraph> initializer) {
        this(name, task, description, reference, defaults, figures, builder, initializer, RunHooks.NONE);
    }

    public ModelSpec(String name, Task task, String description, String reference, ModelConfig defaults,
                     ReferenceFigures figures, ModelBuilder builder) {
        this(name, task, description, reference, defaults, figures, builder, net -> {
        });
    }
}
