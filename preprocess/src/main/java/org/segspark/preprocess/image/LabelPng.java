package org.segspark.preprocess.image;

import javax.imageio.ImageIO;
import java.awt.image.BufferedImage;
import java.awt.image.DataBufferByte;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;

/** 8-bit greyscale PNG label maps: one byte per pixel, the class index (255 = ignore). */
public final class LabelPng {
    private LabelPng() {
    }

    public static byte[] encode(byte[] labels, int width, int height) {
        BufferedImage img = new BufferedImage(width, height, BufferedImage.TYPE_BYTE_GRAY);
        byte[] data = ((DataBufferByte) img.getRaster().getDataBuffer()).getData();
        System.arraycopy(labels, 0, data, 0, labels.length);
        ByteArrayOutputStream out = new ByteArrayOutputStream(labels.length / 4 + 64);
        try {
            if (!ImageIO.write(img, "png", out)) {
                throw new IllegalStateException("no PNG writer available");
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toByteArray();
    }

    /** Reads a single-channel 8-bit PNG back to its bytes, refusing anything else. */
    public static byte[] decode(byte[] png, int[] sizeOut) throws BadImageException {
        BufferedImage img = new ImageDecoder().decodeImage(png);
        if (img.getType() != BufferedImage.TYPE_BYTE_GRAY) {
            throw new BadImageException("label PNG is not 8-bit greyscale (type " + img.getType() + ")");
        }
        sizeOut[0] = img.getWidth();
        sizeOut[1] = img.getHeight();
        byte[] data = ((DataBufferByte) img.getRaster().getDataBuffer()).getData();
        return data.clone();
    }
}
