package org.segspark.preprocess.image;

import java.awt.image.BufferedImage;
import java.awt.image.IndexColorModel;
import java.awt.image.Raster;

/**
 * A mask file's per-pixel values: the grey level of a greyscale image, the palette index of an
 * indexed one (VOC-style colour masks keep their class indices), or the common value of an RGB
 * image whose three channels agree (grey saved as RGB). A colour RGB mask is refused: its colours
 * are not values.
 */
public record MaskImage(int width, int height, byte[] values) {

    public static MaskImage decode(byte[] bytes, long maxPixels) throws BadImageException {
        BufferedImage img = new ImageDecoder(maxPixels).decodeImage(bytes);
        int w = img.getWidth(), h = img.getHeight();
        Raster r = img.getRaster();
        int bands = r.getNumBands();
        byte[] out = new byte[w * h];
        boolean indexed = img.getColorModel() instanceof IndexColorModel;
        int[] row = new int[w * bands];
        for (int y = 0; y < h; y++) {
            r.getPixels(0, y, w, 1, row);
            for (int x = 0; x < w; x++) {
                int v = row[x * bands];
                if (!indexed && bands >= 3) {
                    int g = row[x * bands + 1], b = row[x * bands + 2];
                    if (g != v || b != v) {
                        throw new BadImageException("colour mask: pixel (" + x + ", " + y + ") is RGB " + v + "," + g + ","
                                + b + "; masks must be greyscale, palette-indexed or grey saved as RGB");
                    }
                }
                if (v > 255) {
                    // 16-bit masks usually hold class indices; a value this large is not one segspark can store
                    throw new BadImageException("mask value " + v + " at (" + x + ", " + y + ") is above 255");
                }
                out[y * w + x] = (byte) v;
            }
        }
        return new MaskImage(w, h, out);
    }
}
