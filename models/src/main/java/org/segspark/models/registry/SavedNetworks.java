package org.segspark.models.registry;

import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.util.ModelSerializer;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;

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

    /** A network as the bytes of its saved file, to ship to the executors ({@link #restore} reads them). */
    public static byte[] bytes(ComputationGraph net, boolean withUpdater) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try {
            ModelSerializer.writeModel(net, out, withUpdater);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot serialise the network for the executors", e);
        }
        return out.toByteArray();
    }
}
