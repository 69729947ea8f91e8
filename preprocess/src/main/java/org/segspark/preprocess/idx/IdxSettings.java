package org.segspark.preprocess.idx;

import com.fasterxml.jackson.databind.JsonNode;
import org.apache.spark.api.java.JavaSparkContext;
import org.segspark.core.config.Setting;
import org.segspark.core.config.SettingsSection;
import org.segspark.preprocess.job.ShardJob;
import org.segspark.preprocess.job.ShardSettings;
import org.segspark.preprocess.job.ShardSource;

import java.io.IOException;
import java.util.List;

/** {@code segspark preprocess idx}: its settings (section {@code preprocess.idx}) and its job. */
public final class IdxSettings implements ShardSource {
    public static final IdxSettings SOURCE = new IdxSettings();

    public static final Setting<String> IMAGES = Setting.requiredText("images",
                    "IDX images file of the train split (rank 3, unsigned bytes; gzipped or not), e.g. "
                            + "train-images-idx3-ubyte.gz.")
            .option("--images", "FILE", "Training images (IDX, .gz or not)");
    public static final Setting<String> LABELS = Setting.requiredText("labels",
                    "IDX labels file of the train split (rank 1), one label per image of images.")
            .option("--labels", "FILE", "Training labels (IDX, .gz or not)");
    public static final Setting<String> TEST_IMAGES = Setting.optionalText("test-images",
                    "IDX images file of the val split (the data set's test images), with test-labels; null: no val split.")
            .option("--test-images", "FILE", "Test images, written as the val split");
    public static final Setting<String> TEST_LABELS = Setting.optionalText("test-labels",
                    "IDX labels file of the val split, one label per image of test-images.")
            .option("--test-labels", "FILE", "Test labels");
    public static final Setting<IdxDataset> DATASET = Setting.choice("dataset", IdxDataset.class,
                    "Which data set the files hold, for its class names (all three have 10 classes); a label of 10 or "
                            + "more is a rejects row.")
            .option("--dataset", "NAME", "mnist, fashion-mnist or kmnist: names the classes");
    public static final Setting<Integer> CHANNELS = Setting.integer("channels",
                    "Channels per pixel in the shards: 3 writes each grey value three times (RGB networks, pretrained "
                            + "or exported for RGB input take them as they are), 1 keeps one grey channel (the network's "
                            + "first convolution and the shards a third of the size).")
            .check(v -> v == 1 || v == 3, "must be 1 or 3")
            .option("--channels", "1|3", "Grey as one channel, or as three equal ones (RGB)");

    public static final SettingsSection SECTION = ShardSettings.section("idx",
            List.of(IMAGES, LABELS, TEST_IMAGES, TEST_LABELS, DATASET, CHANNELS));

    private IdxSettings() {
    }

    @Override
    public SettingsSection section() {
        return SECTION;
    }

    @Override
    public ShardJob.Result run(JavaSparkContext jsc, SettingsSection.Values settings, JsonNode config) throws IOException {
        String testImages = settings.get(TEST_IMAGES), testLabels = settings.get(TEST_LABELS);
        if ((testImages == null) != (testLabels == null)) {
            throw new IllegalArgumentException("--test-images and --test-labels go together: give both or neither");
        }
        return IdxShardJob.run(jsc, settings.get(IMAGES), settings.get(LABELS), testImages, testLabels,
                settings.get(DATASET), settings.get(CHANNELS), ShardSettings.options(settings), config);
    }
}
