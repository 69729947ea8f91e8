package org.segspark.preprocess.job;

import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.Path;
import org.segspark.preprocess.image.BadImageException;
import org.segspark.preprocess.image.MaskImage;
import org.segspark.core.io.HadoopFiles;

import java.io.FileNotFoundException;
import java.io.IOException;

/**
 * An example's mask file read and decoded on an executor and checked against its image's size, or
 * the reject (stage {@code mask}) saying why it cannot be used; {@code label} names the mask in
 * the reason.
 */
public record MaskInput(MaskImage mask, Outcome reject) {

    public static MaskInput read(String name, String label, Path path, long maxPixels, Configuration conf,
                                 int imageWidth, int imageHeight) {
        byte[] bytes;
        try {
            bytes = HadoopFiles.readAll(path, conf);
        } catch (FileNotFoundException e) {
            return rejected(name, "missing mask " + path);
        } catch (IOException e) {
            return rejected(name, "cannot read " + path + ": " + e.getMessage());
        }
        return decode(name, label, bytes, maxPixels, imageWidth, imageHeight);
    }

    /** A mask's PNG bytes already in hand (a DataFrame's binary column), checked as {@link #read} checks. */
    public static MaskInput decode(String name, String label, byte[] bytes, long maxPixels, int imageWidth,
                                   int imageHeight) {
        MaskImage m;
        try {
            m = MaskImage.decode(bytes, maxPixels);
        } catch (BadImageException e) {
            return rejected(name, label + ": " + e.getMessage());
        }
        if (m.width() != imageWidth || m.height() != imageHeight) {
            return rejected(name, "mask " + label + " is " + m.width() + "x" + m.height() + ", the image "
                    + imageWidth + "x" + imageHeight);
        }
        return new MaskInput(m, null);
    }

    private static MaskInput rejected(String name, String reason) {
        return new MaskInput(null, Outcome.rejected(name, "mask", reason));
    }
}
