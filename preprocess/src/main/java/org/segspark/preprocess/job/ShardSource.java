package org.segspark.preprocess.job;

import com.fasterxml.jackson.databind.JsonNode;
import org.apache.spark.api.java.JavaSparkContext;
import org.segspark.core.config.SettingsSection;

import java.io.IOException;

/** A preprocessing source: its declared settings (section {@code preprocess.<name>}) and the shard job they drive. */
public interface ShardSource {
    /** The section's settings, {@code preprocess.<name>}. */
    SettingsSection section();

    /** The source's name on the command line: {@code segspark preprocess <name>}. */
    default String name() {
        return section().name().substring(section().name().indexOf('.') + 1);
    }

    /**
     * Writes the shard set.
     *
     * @param settings the section's values, validated
     * @param config   the effective section, recorded in the manifest
     */
    ShardJob.Result run(JavaSparkContext jsc, SettingsSection.Values settings, JsonNode config) throws IOException;
}
