package org.segspark.preprocess.job;

import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.Path;
import org.segspark.preprocess.image.BadImageException;
import org.segspark.preprocess.image.ImageDecoder;
import org.segspark.preprocess.image.RgbImage;
import org.segspark.preprocess.image.Resize;
import org.segspark.core.io.HadoopFiles;

import java.io.FileNotFoundException;
import java.io.IOException;

/**
 * An input image read and decoded on an executor, or the reject saying why it could not be:
 * {@code read} (missing or unreadable file) or {@code decode} (not an image, truncated, too large).
 * {@link #decoded} holds the file's own size and pixels that may be a reduced decode of it.
 */
public record ImageInput(ImageDecoder.Decoded decoded, Outcome reject) {

    /** Decodes at full size. */
    public static ImageInput read(String name, Path path, long maxPixels, Configuration conf) {
        return read(name, path, maxPixels, conf, null, 0, 0, false);
    }

    /**
     * Decodes for a resize to {@code dstW} x {@code dstH} placed by {@code aspect}: with
     * {@code dctScaling}, a JPEG is decoded at the smallest DCT scale that keeps enough pixels.
     */
    public static ImageInput read(String name, Path path, long maxPixels, Configuration conf, Resize.Aspect aspect,
                                  int dstW, int dstH, boolean dctScaling) {
        byte[] bytes;
        try {
            bytes = HadoopFiles.readAll(path, conf);
        } catch (FileNotFoundException e) {
            return new ImageInput(null, Outcome.rejected(name, "read", "missing file " + path));
        } catch (IOException e) {
            return new ImageInput(null, Outcome.rejected(name, "read", "cannot read " + path + ": " + e.getMessage()));
        }
        return decode(name, bytes, maxPixels, aspect, dstW, dstH, dctScaling);
    }

    /** An image file's bytes already in hand (a DataFrame's binary column), decoded as {@link #read} decodes. */
    public static ImageInput decode(String name, byte[] bytes, long maxPixels, Resize.Aspect aspect, int dstW, int dstH,
                                    boolean dctScaling) {
        try {
            ImageDecoder decoder = new ImageDecoder(maxPixels);
            if (aspect == null) {
                RgbImage full = decoder.decode(bytes);
                return new ImageInput(new ImageDecoder.Decoded(full, full.width(), full.height()), null);
            }
            return new ImageInput(decoder.decodeFor(bytes, dstW, dstH, aspect, dctScaling), null);
        } catch (BadImageException e) {
            return new ImageInput(null, Outcome.rejected(name, "decode", e.getMessage()));
        }
    }

    /** The decoded pixels (possibly a reduced decode: see {@link #width()}). */
    public RgbImage image() {
        return decoded.image();
    }

    /** The file's width. */
    public int width() {
        return decoded.width();
    }

    /** The file's height. */
    public int height() {
        return decoded.height();
    }
}
