package org.segspark.models.registry;

import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.util.ModelSerializer;

import java.io.IOException;
import java.io.InputStream;

/**
 * Reads saved networks, those of earlier segspark versions included: every registered model's
 * layer classes are known under the names they were saved with.
 */
public final class SavedNetworks {
    private SavedNetworks() {
    }

    public static ComputationGraph restore(InputStream in, boolean withUpdater) throws IOException {
        ModelRegistry.ensureLoaded();
        return ModelSerializer.restoreComputationGraph(in, withUpdater);
    }
}
