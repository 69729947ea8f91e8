package org.segspark.preprocess.frame;

import org.apache.spark.sql.Row;
import org.apache.spark.sql.types.BinaryType;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.StructType;
import org.segspark.preprocess.image.BadImageException;
import org.segspark.preprocess.image.ImageDecoder;
import org.segspark.preprocess.image.Resize;
import org.segspark.preprocess.image.RgbImage;

import java.io.Serializable;
import java.util.List;

/**
 * An image as a DataFrame holds it: an image file's bytes (a binary column, such as the
 * {@code content} of Spark's {@code binaryFile} source), or pixels decoded by Spark's {@code image}
 * source (a struct of height, width, nChannels, mode and data, 8 bits per channel in OpenCV's BGR
 * order, row-major).
 *
 * @param channels 0 for a file's bytes, else the struct's nChannels (1, 3 or 4)
 */
public record ImageCell(byte[] bytes, int width, int height, int channels) implements Serializable {
    /** The struct fields of Spark's image source that a cell needs. */
    static final List<String> IMAGE_FIELDS = List.of("height", "width", "nChannels", "data");

    /** A file's bytes. */
    public static ImageCell encoded(byte[] bytes) {
        return new ImageCell(bytes, 0, 0, 0);
    }

    /**
     * Checks that {@code type} is a column type a cell reads; the message names the column and the
     * types it may have.
     */
    public static void checkType(String column, DataType type) {
        if (type instanceof BinaryType) {
            return;
        }
        if (type instanceof StructType s && List.of(s.fieldNames()).containsAll(IMAGE_FIELDS)) {
            return;
        }
        throw new IllegalArgumentException("column " + column + " is " + type.simpleString() + ": images are a binary "
                + "column of file bytes (spark.read().format(\"binaryFile\"), column content) or the struct of Spark's "
                + "image source (spark.read().format(\"image\"), column image)");
    }

    /** Column {@code index} of {@code row}: a binary cell or an image-source struct; null when the cell is null. */
    public static ImageCell of(Row row, int index) {
        if (row.isNullAt(index)) {
            return null;
        }
        Object v = row.get(index);
        if (v instanceof byte[] b) {
            return encoded(b);
        }
        Row s = (Row) v;
        int h = s.getInt(s.fieldIndex("height"));
        int w = s.getInt(s.fieldIndex("width"));
        int c = s.getInt(s.fieldIndex("nChannels"));
        return new ImageCell(s.getAs("data"), w, h, c);
    }

    /** The struct's origin (the file it came from), or null for a binary cell or a struct without one. */
    public static String origin(Row row, int index) {
        if (row.isNullAt(index) || !(row.get(index) instanceof Row s)) {
            return null;
        }
        int i = List.of(s.schema().fieldNames()).indexOf("origin");
        return i < 0 || s.isNullAt(i) ? null : s.getString(i);
    }

    /**
     * Decoded for a resize to {@code dstW} x {@code dstH}: file bytes as the shard jobs decode files
     * (maybe at a reduced JPEG DCT scale), struct pixels as they are.
     */
    public ImageDecoder.Decoded decodeFor(long maxPixels, int dstW, int dstH, Resize.Aspect aspect, boolean dctScaling)
            throws BadImageException {
        if (channels == 0) {
            return new ImageDecoder(maxPixels).decodeFor(bytes, dstW, dstH, aspect, dctScaling);
        }
        RgbImage rgb = rgb(maxPixels);
        return new ImageDecoder.Decoded(rgb, rgb.width(), rgb.height());
    }

    /** Every pixel at the image's own size. */
    public RgbImage decode(long maxPixels) throws BadImageException {
        return channels == 0 ? new ImageDecoder(maxPixels).decode(bytes) : rgb(maxPixels);
    }

    private RgbImage rgb(long maxPixels) throws BadImageException {
        if (channels != 1 && channels != 3 && channels != 4) {
            throw new BadImageException("image struct has " + channels + " channels; 1, 3 or 4 (8-bit) are read");
        }
        if (width < 1 || height < 1 || (long) width * height > maxPixels) {
            throw new BadImageException("image struct is " + width + "x" + height + " (at most " + maxPixels
                    + " pixels)");
        }
        long expected = (long) width * height * channels;
        if (bytes == null || bytes.length != expected) {
            throw new BadImageException("image struct's data has " + (bytes == null ? 0 : bytes.length) + " bytes, "
                    + width + "x" + height + "x" + channels + " needs " + expected + " (only 8-bit modes are read)");
        }
        byte[] out = new byte[width * height * 3];
        for (int i = 0, n = width * height; i < n; i++) {
            int s = i * channels;
            if (channels == 1) {
                out[i * 3] = out[i * 3 + 1] = out[i * 3 + 2] = bytes[s];
            } else {
                // OpenCV's order is B, G, R (then alpha, which is dropped)
                out[i * 3] = bytes[s + 2];
                out[i * 3 + 1] = bytes[s + 1];
                out[i * 3 + 2] = bytes[s];
            }
        }
        return new RgbImage(width, height, out);
    }
}
