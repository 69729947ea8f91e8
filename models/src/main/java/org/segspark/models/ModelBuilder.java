package org.segspark.models;

import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.segspark.models.graph.GraphAssembler;

/**
 * Builds a model's graph configuration; training settings (updater, regularisation) come in
 * through {@code base}; {@code impl} chooses segspark's fast layers or DL4J's stock ones.
 */
@FunctionalInterface
public interface ModelBuilder {
    ComputationGraphConfiguration build(ModelConfig config, NeuralNetConfiguration.Builder base,
                                        GraphAssembler.Implementation impl);
}
