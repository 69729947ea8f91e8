package org.segspark.preprocess.folder;

import com.fasterxml.jackson.databind.JsonNode;
import org.apache.spark.api.java.JavaSparkContext;
import org.segspark.core.config.Setting;
import org.segspark.core.config.SettingsSection;
import org.segspark.preprocess.job.ShardJob;
import org.segspark.preprocess.job.ShardSettings;
import org.segspark.preprocess.job.ShardSource;

import java.io.IOException;
import java.util.List;

/** {@code segspark preprocess imagefolder}: its settings (section {@code preprocess.imagefolder}) and its job. */
public final class ImageFolderSettings implements ShardSource {
    public static final ImageFolderSettings SOURCE = new ImageFolderSettings();

    public static final Setting<String> INPUT = Setting.requiredText("input",
                    "Root of a class-per-folder tree: ROOT/<class>/<image>, or ROOT/train/<class>/... with val/ "
                            + "(or test/, validation/) beside it.")
            .option("--images", "DIR", "Root of the class-per-folder tree").formerly("--input");
    public static final Setting<Double> VAL_FRACTION = ShardSettings.VAL_FRACTION
            .option("--val-fraction", "F", "Flat layout: share of images in val");

    public static final SettingsSection SECTION = ShardSettings.section("imagefolder", List.of(INPUT,
            ShardSettings.ASPECT, VAL_FRACTION, ShardSettings.SPLIT_SEED, ShardSettings.MAX_PIXELS));

    private ImageFolderSettings() {
    }

    @Override
    public SettingsSection section() {
        return SECTION;
    }

    @Override
    public ShardJob.Result run(JavaSparkContext jsc, SettingsSection.Values v, JsonNode config) throws IOException {
        return ImageFolderShardJob.run(jsc, v.get(INPUT), ShardSettings.options(v), v.get(ShardSettings.ASPECT),
                v.get(VAL_FRACTION), v.get(ShardSettings.SPLIT_SEED), v.get(ShardSettings.MAX_PIXELS), config);
    }
}
