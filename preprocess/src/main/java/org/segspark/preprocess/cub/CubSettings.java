package org.segspark.preprocess.cub;

import com.fasterxml.jackson.databind.JsonNode;
import org.apache.spark.api.java.JavaSparkContext;
import org.segspark.core.Task;
import org.segspark.core.config.Setting;
import org.segspark.core.config.SettingsSection;
import org.segspark.preprocess.job.ShardJob;
import org.segspark.preprocess.job.ShardSettings;
import org.segspark.preprocess.job.ShardSource;

import java.io.IOException;
import java.util.List;

/** {@code segspark preprocess cub}: its settings (section {@code preprocess.cub}) and its job. */
public final class CubSettings implements ShardSource {
    public static final CubSettings SOURCE = new CubSettings();

    public static final Setting<String> INPUT = Setting.requiredText("input",
                    "The CUB_200_2011 folder (images.txt, classes.txt, image_class_labels.txt, train_test_split.txt, "
                            + "bounding_boxes.txt, images/).")
            .option("--input", "DIR", "The CUB_200_2011 folder");
    public static final Setting<String> SEGMENTATIONS = Setting.optionalText("segmentations",
                    "Folder of the masks (<class_dir>/<stem>.png); null: segmentations/ next to the input (the official "
                            + "archives unpack side by side), else inside it.")
            .option("--segmentations", "DIR", "The masks (default: segmentations/ next to or inside the input)");
    public static final Setting<Task> TASK = Setting.choice("task", Task.class,
                    "segmentation: background / bird from the masks; classification: the 200 species.")
            .option("--task", "TASK", "segmentation or classification");
    public static final Setting<Integer> MASK_THRESHOLD = Setting.integer("mask-threshold",
                    "Grey level at or above which a mask pixel is bird: the masks are soft (the share of annotators who "
                            + "marked the pixel, times 255); 128 = a majority.")
            .check(v -> v >= 1 && v <= 255, "must be 1..255")
            .option("--mask-threshold", "LEVEL", "Grey level from which a mask pixel is bird (1..255)");
    public static final Setting<Boolean> CROP_TO_BOX = Setting.flag("crop-to-box",
                    "Crop image and mask to bounding_boxes.txt's box before resizing.")
            .option("--crop-to-box", null, "Crop to bounding_boxes.txt before resizing");

    public static final SettingsSection SECTION = ShardSettings.section("cub", List.of(INPUT, SEGMENTATIONS, TASK,
            MASK_THRESHOLD, CROP_TO_BOX, ShardSettings.ASPECT, ShardSettings.MAX_PIXELS));

    private CubSettings() {
    }

    /** The section's values as the job's configuration. */
    public static CubShardConfig config(SettingsSection.Values v) {
        return new CubShardConfig(v.get(INPUT), v.get(SEGMENTATIONS), v.get(TASK).id(), v.get(MASK_THRESHOLD),
                v.get(CROP_TO_BOX), v.get(ShardSettings.ASPECT), v.get(ShardSettings.MAX_PIXELS), ShardSettings.options(v));
    }

    @Override
    public SettingsSection section() {
        return SECTION;
    }

    @Override
    public ShardJob.Result run(JavaSparkContext jsc, SettingsSection.Values settings, JsonNode config) throws IOException {
        return CubShardJob.run(jsc, config(settings), config);
    }
}
