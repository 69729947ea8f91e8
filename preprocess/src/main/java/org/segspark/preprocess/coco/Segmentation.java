package org.segspark.preprocess.coco;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.List;

/** The three ways COCO stores an instance's mask. */
public sealed interface Segmentation extends Serializable
        permits Segmentation.Polygons, Segmentation.UncompressedRle, Segmentation.CompressedRle {

    /** The mask as pycocotools' {@code COCO.annToRLE} computes it for an image of the given size. */
    Rle toRle(int imageHeight, int imageWidth);

    /** One or more polygon parts [x0, y0, x1, y1, ...], unioned. */
    record Polygons(List<double[]> parts) implements Segmentation {
        @Override
        public Rle toRle(int imageHeight, int imageWidth) {
            List<Rle> rles = new ArrayList<>(parts.size());
            // pycocotools' frPyObjects reads a list whose first part has exactly four numbers as boxes.
            boolean boxes = !parts.isEmpty() && parts.get(0).length == 4;
            for (double[] part : parts) {
                rles.add(boxes ? Rle.fromBox(part, imageHeight, imageWidth)
                        : Rle.fromPolygon(part, imageHeight, imageWidth));
            }
            return Rle.union(rles);
        }
    }

    /** {@code {"size": [h, w], "counts": [n0, n1, ...]}}; size is the RLE's own, as in pycocotools. */
    record UncompressedRle(long[] counts, int height, int width) implements Segmentation {
        @Override
        public Rle toRle(int imageHeight, int imageWidth) {
            return Rle.fromCounts(counts, height, width);
        }
    }

    /** {@code {"size": [h, w], "counts": "compressed string"}}. */
    record CompressedRle(String counts, int height, int width) implements Segmentation {
        @Override
        public Rle toRle(int imageHeight, int imageWidth) {
            return Rle.fromString(counts, height, width);
        }
    }
}
