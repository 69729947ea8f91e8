package org.segspark.models;

import org.deeplearning4j.nn.graph.ComputationGraph;
import org.segspark.core.Task;

import java.util.Collections;
import java.util.EnumSet;
import java.util.Set;
import java.util.function.Consumer;
import java.util.stream.Collectors;

/**
 * A registry entry: a named architecture, the reference it is faithful to, its default
 * configuration, the reference's figures at that configuration, what to set after the network's
 * random initialisation (fixed bilinear kernels, zero-initialised layers), if anything, what
 * the model adds to a training run (its {@link RunHooks}), and the options it takes.
 */
public record ModelSpec(String name, Task task, String description, String reference, ModelConfig defaults,
                        ReferenceFigures figures, ModelBuilder builder, Consumer<ComputationGraph> initializer,
                        RunHooks hooks, Set<ModelOption> options) {

    public ModelSpec {
        options = options.isEmpty() ? Set.of() : Collections.unmodifiableSet(EnumSet.copyOf(options));
    }

    public ModelSpec(String name, Task task, String description, String reference, ModelConfig defaults,
                     ReferenceFigures figures, ModelBuilder builder, Consumer<ComputationGraph> initializer,
                     RunHooks hooks) {
        this(name, task, description, reference, defaults, figures, builder, initializer, hooks, Set.of());
    }

    public ModelSpec(String name, Task task, String description, String reference, ModelConfig defaults,
                     ReferenceFigures figures, ModelBuilder builder, Consumer<ComputationGraph> initializer) {
        this(name, task, description, reference, defaults, figures, builder, initializer, RunHooks.NONE);
    }

    public ModelSpec(String name, Task task, String description, String reference, ModelConfig defaults,
                     ReferenceFigures figures, ModelBuilder builder) {
        this(name, task, description, reference, defaults, figures, builder, net -> {
        });
    }

    /** This entry taking {@code taken} (and no other option). */
    public ModelSpec withOptions(ModelOption... taken) {
        return new ModelSpec(name, task, description, reference, defaults, figures, builder, initializer, hooks,
                Set.of(taken));
    }

    /** Refuses options this model does not take, naming the ones it does. */
    public void requireOptions(Set<ModelOption> given) {
        for (ModelOption o : given) {
            if (!options.contains(o)) {
                throw new IllegalArgumentException(o.id() + " is not an option of " + name + " ("
                        + (options.isEmpty() ? "it takes none" : "its options: "
                        + options.stream().map(ModelOption::id).collect(Collectors.joining(", "))) + ")");
            }
        }
    }
}
