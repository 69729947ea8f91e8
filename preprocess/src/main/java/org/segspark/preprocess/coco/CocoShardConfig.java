package org.segspark.preprocess.coco;

import org.segspark.preprocess.image.Resize;
import org.segspark.preprocess.job.ShardJobOptions;

import java.io.Serializable;

/**
 * Settings of {@code segspark preprocess coco} (HOCON section {@code preprocess.coco}, defaults in
 * {@code conf/preprocess-coco.conf}), declared in {@link CocoSettings}.
 *
 * @param annotations  COCO instances JSON
 * @param images       folder the file names in the JSON are relative to
 * @param mapping      "categories" (ascending category ids -> 1..K), "coco4", or a mapping JSON file
 * @param valFraction  share of images assigned to the val split by a stable hash of their file name, in [0, 1)
 * @param splitSeed    seed of that hash
 * @param aspect       how images of another aspect ratio are fitted: stretch or pad
 * @param maxPixels    larger images are rejected (decompression-bomb guard)
 * @param shards       tensor size, row groups, file size and compression of the output
 */
public record CocoShardConfig(String annotations, String images, String mapping, double valFraction, long splitSeed,
                              Resize.Aspect aspect, long maxPixels, ShardJobOptions shards) implements Serializable {

    public CocoShardConfig {
        if (valFraction < 0 || valFraction >= 1) {
            throw new IllegalArgumentException("val-fraction must be in [0, 1), got " + valFraction);
        }
        if (maxPixels < 1) {
            throw new IllegalArgumentException("max-pixels must be positive, got " + maxPixels);
        }
    }
}
