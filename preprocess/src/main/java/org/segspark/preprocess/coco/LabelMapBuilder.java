package org.segspark.preprocess.coco;

import java.util.List;

/**
 * Paints one image's label map from its instances: a pixel inside any crowd region is 255; a
 * pixel covered by non-crowd instances of two or more different classes is 255; otherwise the
 * class of the instance(s) covering it; uncovered pixels are 0.
 */
public final class LabelMapBuilder {
    private LabelMapBuilder() {
    }

    /** Row-major label map of {@code height x width}; every annotation must be usable. */
    public static byte[] build(CocoImage image, List<CocoAnnotation> annotations, LabelMapping mapping) {
        int h = image.height(), w = image.width();
        byte[] label = new byte[h * w];
        for (CocoAnnotation a : annotations) {
            int cls = mapping.classOf(a.categoryId());
            if (a.crowd() || cls == 0) {
                continue;
            }
            byte value = (byte) cls;
            paint(a, h, w, (x, y, len) -> {
                for (int i = 0, p = y * w + x; i < len; i++, p += w) {
                    byte cur = label[p];
                    if (cur == 0) {
                        label[p] = value;
                    } else if (cur != value) {
                        label[p] = (byte) LabelMapping.IGNORE;
                    }
                }
            });
        }
        for (CocoAnnotation a : annotations) {
            if (a.crowd()) {
                paint(a, h, w, (x, y, len) -> {
                    for (int i = 0, p = y * w + x; i < len; i++, p += w) {
                        label[p] = (byte) LabelMapping.IGNORE;
                    }
                });
            }
        }
        return label;
    }

    private static void paint(CocoAnnotation a, int h, int w, Rle.RunConsumer painter) {
        Rle rle = a.segmentation().toRle(h, w);
        if (rle.height() != h || rle.width() != w) {
            throw new CocoFormatException("annotation " + a.id() + ": RLE size " + rle.height() + "x" + rle.width()
                    + " differs from its image's " + h + "x" + w);
        }
        if (rle.pixelCount() != (long) h * w) {
            throw new CocoFormatException("annotation " + a.id() + ": RLE covers " + rle.pixelCount()
                    + " pixels, its image has " + ((long) h * w));
        }
        rle.forEachForegroundRun(painter);
    }
}
