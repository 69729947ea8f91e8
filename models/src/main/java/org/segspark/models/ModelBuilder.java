package org.segspark.models;

import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;

/** Builds a model's graph configuration; training settings (updater, regularisation) come in through {@code base}. */
@FunctionalInterface
public interface ModelBuilder {
    ComputationGraphConfiguration build(ModelConfig config, NeuralNetConfiguration.Builder base);
}
