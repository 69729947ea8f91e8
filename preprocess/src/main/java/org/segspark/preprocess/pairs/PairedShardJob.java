package org.segspark.preprocess.pairs;

import com.fasterxml.jackson.databind.JsonNode;
import org.apache.spark.api.java.JavaSparkContext;
import org.segspark.preprocess.image.Resize;
import org.segspark.core.io.SerializableConf;
import org.segspark.preprocess.job.ShardJob;
import org.segspark.preprocess.job.ShardJobOptions;
import org.segspark.core.shards.ShardManifest;

import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** {@code segspark preprocess folders}: paired image and mask folders to segmentation shards. */
public final class PairedShardJob {
    private PairedShardJob() {
    }

    /** {@code classNames} empty: class_0, class_1, ... for the mapping's class count. */
    public static ShardJob.Result run(JavaSparkContext jsc, String images, String masks, MaskMapping mapping,
                                      List<String> classNames, ShardJobOptions options, Resize.Aspect aspect,
                                      double valFraction, long splitSeed, long maxPixels, JsonNode config)
            throws IOException {
        return run(jsc, images, masks, "", "", mapping, classNames, options, aspect, valFraction, splitSeed, maxPixels,
                config);
    }

    /** With name suffixes that differ between images and masks (see {@link PairedFolders#list}). */
    public static ShardJob.Result run(JavaSparkContext jsc, String images, String masks, String imageSuffix,
                                      String maskSuffix, MaskMapping mapping, List<String> classNames,
                                      ShardJobOptions options, Resize.Aspect aspect, double valFraction, long splitSeed,
                                      long maxPixels, JsonNode config) throws IOException {
        List<String> classes = new ArrayList<>(classNames);
        if (classes.isEmpty()) {
            for (int c = 0; c < mapping.classes(); c++) {
                classes.add("class_" + c);
            }
        } else if (classes.size() < mapping.classes()) {
            throw new IllegalArgumentException(classes.size() + " class names for " + mapping.classes()
                    + " classes (mask-map " + mapping + ")");
        }
        PairedFolders.Listing listing = PairedFolders.list(images, masks, imageSuffix, maskSuffix, valFraction, splitSeed,
                jsc.hadoopConfiguration());
        Map<String, Object> source = new LinkedHashMap<>();
        source.put("kind", "paired-folders");
        source.put("images", images);
        source.put("masks", masks);
        source.put("mask_map", mapping.toString());
        source.put("image_suffix", imageSuffix);
        source.put("mask_suffix", maskSuffix);
        PairedExampleMaker maker = new PairedExampleMaker(images, masks, mapping, options.height(), options.width(), aspect,
                maxPixels, options.jpegDctScaling(), new SerializableConf(jsc.hadoopConfiguration()));
        return ShardJob.run(jsc, listing.items(), maker,
                new ShardJob.Spec(options, ShardManifest.SEGMENTATION, classes, source, config), listing.rejects());
    }
}
