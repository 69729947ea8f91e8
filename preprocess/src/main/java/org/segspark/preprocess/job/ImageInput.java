package org.segspark.preprocess.job;

import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.Path;
import org.segspark.preprocess.image.BadImageException;
import org.segspark.preprocess.image.ImageDecoder;
import org.segspark.preprocess.image.RgbImage;
import org.segspark.preprocess.io.HadoopFiles;

import java.io.FileNotFoundException;
import java.io.IOException;

/**
 * An input image read and decoded on an executor, or the reject saying why it could not be:
 * {@code read} (missing or unreadable file) or {@code decode} (not an image, truncated, too large).
 */
public record ImageInput(RgbImage image, Outcome reject) {

    public static ImageInput read(String name, Path path, long maxPixels, Configuration conf) {
        byte[] bytes;
        try {
            bytes = HadoopFiles.readAll(path, conf);
        } catch (FileNotFoundException e) {
            return new ImageInput(null, Outcome.rejected(name, "read", "missing file " + path));
        } catch (IOException e) {
            return new ImageInput(null, Outcome.rejected(name, "read", "cannot read " + path + ": " + e.getMessage()));
        }
        try {
            return new ImageInput(new ImageDecoder(maxPixels).decode(bytes), null);
        } catch (BadImageException e) {
            return new ImageInput(null, Outcome.rejected(name, "decode", e.getMessage()));
        }
    }
}
