package org.segspark.preprocess.folder;

import com.fasterxml.jackson.databind.JsonNode;
import org.apache.spark.api.java.JavaSparkContext;
import org.segspark.preprocess.image.Resize;
import org.segspark.core.io.SerializableConf;
import org.segspark.preprocess.job.ShardJob;
import org.segspark.preprocess.job.ShardJobOptions;
import org.segspark.core.shards.ShardManifest;

import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.Map;

/** {@code segspark preprocess imagefolder}: a class-per-folder tree to classification shards. */
public final class ImageFolderShardJob {
    private ImageFolderShardJob() {
    }

    public static ShardJob.Result run(JavaSparkContext jsc, String input, ShardJobOptions options, Resize.Aspect aspect,
                                      double valFraction, long splitSeed, long maxPixels, JsonNode config)
            throws IOException {
        ImageFolder.Listing listing = ImageFolder.list(input, valFraction, splitSeed, jsc.hadoopConfiguration());
        Map<String, Object> source = new LinkedHashMap<>();
        source.put("kind", "imagefolder");
        source.put("input", input);
        source.put("layout", listing.splitFolders() ? "split folders (train/, val/ or test/)" : "class folders, hash split");
        source.put("files", listing.items().size() + listing.rejects().size());
        ImageFolderExampleMaker maker = new ImageFolderExampleMaker(input, options.height(), options.width(), aspect,
                maxPixels, options.jpegDctScaling(), new SerializableConf(jsc.hadoopConfiguration()));
        return ShardJob.run(jsc, listing.items(), maker,
                new ShardJob.Spec(options, ShardManifest.CLASSIFICATION, listing.classes(), source, config),
                listing.rejects());
    }
}
