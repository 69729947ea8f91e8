package org.segspark.preprocess.cifar;

import com.fasterxml.jackson.databind.JsonNode;
import org.apache.spark.api.java.JavaSparkContext;
import org.segspark.core.config.Setting;
import org.segspark.core.config.SettingsSection;
import org.segspark.preprocess.job.ShardJob;
import org.segspark.preprocess.job.ShardSettings;
import org.segspark.preprocess.job.ShardSource;

import java.io.IOException;
import java.util.List;

/** {@code segspark preprocess cifar10}: its settings (section {@code preprocess.cifar10}) and its job. */
public final class Cifar10Settings implements ShardSource {
    public static final Cifar10Settings SOURCE = new Cifar10Settings();

    public static final Setting<String> INPUT = Setting.requiredText("input",
                    "Folder holding CIFAR-10's binary batches: data_batch_1..5.bin (train), test_batch.bin (val) and "
                            + "batches.meta.txt (class names).")
            .option("--input", "DIR", "Folder holding the .bin files");

    public static final SettingsSection SECTION = ShardSettings.section("cifar10", List.of(INPUT));

    private Cifar10Settings() {
    }

    @Override
    public SettingsSection section() {
        return SECTION;
    }

    @Override
    public ShardJob.Result run(JavaSparkContext jsc, SettingsSection.Values settings, JsonNode config) throws IOException {
        return Cifar10ShardJob.run(jsc, settings.get(INPUT), ShardSettings.options(settings), config);
    }
}
