package org.segspark.preprocess.pairs;

import com.fasterxml.jackson.databind.JsonNode;
import org.apache.spark.api.java.JavaSparkContext;
import org.segspark.core.config.Setting;
import org.segspark.core.config.SettingsSection;
import org.segspark.preprocess.job.ShardJob;
import org.segspark.preprocess.job.ShardSettings;
import org.segspark.preprocess.job.ShardSource;

import java.io.IOException;
import java.util.List;

/** {@code segspark preprocess folders}: its settings (section {@code preprocess.folders}) and its job. */
public final class PairedFolderSettings implements ShardSource {
    public static final PairedFolderSettings SOURCE = new PairedFolderSettings();

    public static final Setting<String> IMAGES = Setting.requiredText("images", "Image root.")
            .option("--images", "DIR", "Image root");
    public static final Setting<String> MASKS = Setting.requiredText("masks",
                    "Mask root: an image's mask has its relative path without extension (images/a/x.jpg <-> "
                            + "masks/a/x.png), any image extension.")
            .option("--masks", "DIR", "Mask root (same relative paths, any image extension)");
    public static final Setting<String> IMAGE_SUFFIX = Setting.text("image-suffix",
                    "Name suffix (before the extension) only images have, e.g. \"_leftImg8bit\" (Cityscapes).")
            .option("--image-suffix", "S", "Name suffix only images have, e.g. _leftImg8bit");
    public static final Setting<String> MASK_SUFFIX = Setting.text("mask-suffix",
                    "Name suffix only masks have, e.g. \"_mask\" (Carvana), \"_segmentation\" (ISIC), "
                            + "\"_gtFine_labelIds\" (Cityscapes).")
            .option("--mask-suffix", "S", "Name suffix only masks have, e.g. _mask");
    public static final Setting<String> MASK_MAP = Setting.optionalText("mask-map",
                    "Mask pixel value -> class, \"value=class,...\", 255 = ignore, e.g. \"1=1,2=0,3=255\"; values not "
                            + "listed make the mask a reject. null: every value below classes is its own class, 255 ignore.")
            .option("--mask-map", "MAP", "value=class pairs, e.g. \"1=1,2=0,3=255\"");
    public static final Setting<Integer> CLASSES = Setting.integer("classes",
                    "Number of classes when mask-map is null (with a mask-map: at least its largest class + 1).")
            .atLeast(1).option("--classes", "N", "Classes when there is no --mask-map");
    public static final Setting<List<String>> CLASS_NAMES = Setting.texts("class-names",
                    "Class names in index order; empty: class_0, class_1, ...")
            .option("--class-names", "NAMES", "Class names in index order, comma-separated");
    public static final Setting<Double> VAL_FRACTION = ShardSettings.VAL_FRACTION
            .option("--val-fraction", "F", "Share of images in val (outside train/ val/ folders)");

    public static final SettingsSection SECTION = ShardSettings.section("folders", List.of(IMAGES, MASKS, IMAGE_SUFFIX,
            MASK_SUFFIX, MASK_MAP, CLASSES, CLASS_NAMES, ShardSettings.ASPECT, VAL_FRACTION, ShardSettings.SPLIT_SEED,
            ShardSettings.MAX_PIXELS));

    private PairedFolderSettings() {
    }

    @Override
    public SettingsSection section() {
        return SECTION;
    }

    @Override
    public ShardJob.Result run(JavaSparkContext jsc, SettingsSection.Values v, JsonNode config) throws IOException {
        MaskMapping mapping = v.get(MASK_MAP) == null ? MaskMapping.identity(v.get(CLASSES))
                : MaskMapping.parse(v.get(MASK_MAP), v.get(CLASSES));
        return PairedShardJob.run(jsc, v.get(IMAGES), v.get(MASKS), v.get(IMAGE_SUFFIX), v.get(MASK_SUFFIX), mapping,
                v.get(CLASS_NAMES), ShardSettings.options(v), v.get(ShardSettings.ASPECT), v.get(VAL_FRACTION),
                v.get(ShardSettings.SPLIT_SEED), v.get(ShardSettings.MAX_PIXELS), config);
    }
}
