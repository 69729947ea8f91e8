package org.segspark.preprocess.cub;

import com.fasterxml.jackson.databind.JsonNode;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.Path;
import org.apache.spark.api.java.JavaSparkContext;
import org.segspark.core.io.HadoopFiles;
import org.segspark.core.io.SerializableConf;
import org.segspark.preprocess.job.ShardJob;
import org.segspark.core.shards.ShardManifest;

import java.io.FileNotFoundException;
import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * {@code segspark preprocess cub}: CUB-200-2011 to segmentation shards (background / bird, from the
 * soft masks) or classification shards (200 species), with the official train/test split.
 */
public final class CubShardJob {
    private CubShardJob() {
    }

    public static ShardJob.Result run(JavaSparkContext jsc, CubShardConfig cfg, JsonNode config) throws IOException {
        Configuration conf = jsc.hadoopConfiguration();
        CubDataset.Listing listing = CubDataset.read(cfg.input(), conf);
        boolean segmentation = cfg.task().equals(ShardManifest.SEGMENTATION);
        String masks = segmentation ? masksRoot(cfg, conf) : null;
        Map<String, Object> source = new LinkedHashMap<>();
        source.put("kind", "cub-200-2011");
        source.put("input", cfg.input());
        source.put("segmentations", masks);
        source.put("mask_threshold", segmentation ? cfg.maskThreshold() : null);
        source.put("crop_to_box", cfg.cropToBox());
        source.put("images_listed", listing.items().size() + listing.rejects().size());
        String images = new Path(HadoopFiles.path(cfg.input()), "images").toString();
        CubExampleMaker maker = new CubExampleMaker(images, masks, cfg, new SerializableConf(conf));
        List<String> classes = segmentation ? List.of("background", "bird") : listing.classes();
        return ShardJob.run(jsc, listing.items(), maker,
                new ShardJob.Spec(cfg.shards(), cfg.task(), classes, source, config), listing.rejects());
    }

    /** The configured folder, else segmentations/ beside the input, else inside it. */
    static String masksRoot(CubShardConfig cfg, Configuration conf) throws IOException {
        if (cfg.segmentations() != null) {
            Path p = HadoopFiles.path(cfg.segmentations());
            if (!HadoopFiles.fs(p, conf).exists(p)) {
                throw new FileNotFoundException("segmentations folder " + p + " not found");
            }
            return p.toString();
        }
        // a local folder's URI ends in '/', whose parent would be the folder itself
        Path input = new Path(HadoopFiles.path(cfg.input()).toString().replaceAll("(?<!:)/+$", ""));
        for (Path p : new Path[] {new Path(input.getParent(), "segmentations"), new Path(input, "segmentations")}) {
            if (HadoopFiles.fs(p, conf).exists(p)) {
                return p.toString();
            }
        }
        throw new FileNotFoundException("no segmentations/ folder next to or inside " + input
                + "; give --segmentations DIR, or --task classification");
    }
}
