package org.segspark.preprocess.cub;

import org.segspark.core.shards.ShardManifest;
import org.segspark.preprocess.image.Resize;
import org.segspark.preprocess.job.ShardJobOptions;

import java.io.Serializable;

/**
 * Settings of {@code segspark preprocess cub} (HOCON section {@code preprocess.cub}, defaults in
 * {@code conf/preprocess-cub.conf}), declared in {@link CubSettings}.
 *
 * @param input         the CUB_200_2011 folder (images.txt, ..., images/)
 * @param segmentations the folder of the masks ({@code <class_dir>/<stem>.png}); null: {@code segmentations/}
 *                      next to {@code input} (the official archives unpack side by side), else inside it
 * @param task          segmentation (background / bird) or classification (the 200 species)
 * @param maskThreshold a mask's grey level at or above which a pixel is bird: the masks are soft (the
 *                      share of annotators who marked the pixel, times 255); 128 = a majority
 * @param cropToBox     crop image and mask to the image's bounding box before resizing
 * @param aspect        how images of another aspect ratio are fitted: stretch or pad
 * @param maxPixels     larger images are rejected (decompression-bomb guard)
 * @param shards        tensor size, row groups, file size and compression of the output
 */
public record CubShardConfig(String input, String segmentations, String task, int maskThreshold, boolean cropToBox,
                             Resize.Aspect aspect, long maxPixels, ShardJobOptions shards) implements Serializable {

    public CubShardConfig {
        if (!task.equals(ShardManifest.SEGMENTATION) && !task.equals(ShardManifest.CLASSIFICATION)) {
            throw new IllegalArgumentException("task must be segmentation or classification, got \"" + task + "\"");
        }
        if (maskThreshold < 1 || maskThreshold > 255) {
            throw new IllegalArgumentException("mask-threshold must be 1..255, got " + maskThreshold);
        }
        if (maxPixels < 1) {
            throw new IllegalArgumentException("max-pixels must be positive, got " + maxPixels);
        }
    }

    public int height() {
        return shards.height();
    }

    public int width() {
        return shards.width();
    }
}
