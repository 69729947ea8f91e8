package org.segspark.preprocess.coco;

import com.fasterxml.jackson.databind.JsonNode;
import org.apache.spark.api.java.JavaSparkContext;
import org.segspark.core.config.Setting;
import org.segspark.core.config.SettingsSection;
import org.segspark.preprocess.job.ShardJob;
import org.segspark.preprocess.job.ShardSettings;
import org.segspark.preprocess.job.ShardSource;

import java.io.IOException;
import java.util.List;

/** {@code segspark preprocess coco}: its settings (section {@code preprocess.coco}) and its job. */
public final class CocoSettings implements ShardSource {
    public static final CocoSettings SOURCE = new CocoSettings();

    public static final Setting<String> ANNOTATIONS = Setting.requiredText("annotations", "COCO instances JSON.")
            .option("--annotations", "FILE", "COCO instances JSON");
    public static final Setting<String> IMAGES = Setting.requiredText("images",
                    "Folder the JSON's file names are relative to.")
            .option("--images", "DIR", "Folder the JSON's file names are relative to");
    public static final Setting<String> MAPPING = Setting.text("mapping",
                    "Categories -> classes: \"categories\" (ascending category ids -> 1..K, 0 background), \"coco4\", or "
                            + "a mapping JSON file (see coco-masks).")
            .option("--mapping", "NAME|FILE", "categories, coco4, or a mapping JSON file");
    public static final Setting<Double> VAL_FRACTION = ShardSettings.VAL_FRACTION
            .option("--val-fraction", "F", "Share of images in the val split");

    public static final SettingsSection SECTION = ShardSettings.section("coco", List.of(ANNOTATIONS, IMAGES, MAPPING,
            ShardSettings.ASPECT, VAL_FRACTION, ShardSettings.SPLIT_SEED, ShardSettings.MAX_PIXELS));

    private CocoSettings() {
    }

    /** The section's values as the job's configuration. */
    public static CocoShardConfig config(SettingsSection.Values v) {
        return new CocoShardConfig(v.get(ANNOTATIONS), v.get(IMAGES), v.get(MAPPING), v.get(VAL_FRACTION),
                v.get(ShardSettings.SPLIT_SEED), v.get(ShardSettings.ASPECT), v.get(ShardSettings.MAX_PIXELS),
                ShardSettings.options(v));
    }

    @Override
    public SettingsSection section() {
        return SECTION;
    }

    @Override
    public ShardJob.Result run(JavaSparkContext jsc, SettingsSection.Values settings, JsonNode config) throws IOException {
        return CocoShardJob.run(jsc, config(settings), config);
    }
}
