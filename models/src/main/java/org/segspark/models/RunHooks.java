package org.segspark.models;

import java.util.Map;

/**
 * What a registry model adds to a training run beyond training itself, so that training names no
 * model: a log of its own written after every epoch, and entries of its own in model.json.
 */
public interface RunHooks {
    RunHooks NONE = new RunHooks() {
    };

    /** The model's per-epoch log, or null when it keeps none. */
    default EpochLog<?> epochLog() {
        return null;
    }

    /**
     * Entries the model adds to the saved model's description (model.json), by name; values are
     * records or JSON trees. A searchable network gives the architecture it was built from.
     */
    default Map<String, Object> describe(ModelConfig config) {
        return Map.of();
    }
}
