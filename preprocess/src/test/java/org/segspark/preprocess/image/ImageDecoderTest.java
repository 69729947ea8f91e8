package org.segspark.preprocess.image;

import org.junit.jupiter.api.Test;
import org.segspark.preprocess.TestData;

import java.awt.image.BufferedImage;
import java.util.Arrays;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ImageDecoderTest {
    private final ImageDecoder decoder = new ImageDecoder();

    @Test
    void realCocoJpegDecodesToRgb() throws Exception {
        RgbImage img = decoder.decode(TestData.bytes("coco_val2017_tiny/val2017/000000223747.jpg"));
        assertTrue(img.width() > 0 && img.height() > 0);
        assertEquals(img.width() * img.height() * 3, img.pixels().length);
    }

    @Test
    void anInvalidColourProfileIsNotCorruption() throws Exception {
        RgbImage img = decoder.decode(TestData.bytes("coco_val2017_tiny/val2017/000000331799.jpg"));
        assertEquals(640, img.width());
        assertEquals(464, img.height());
    }

    @Test
    void truncatedJpegIsRefusedNotHalfGrey() {
        byte[] jpeg = TestData.bytes("coco_val2017_tiny/val2017/000000223747.jpg");
        byte[] cut = Arrays.copyOf(jpeg, jpeg.length / 2);
        BadImageException e = assertThrows(BadImageException.class, () -> decoder.decode(cut));
        assertTrue(e.getMessage().contains("corrupt or truncated") || e.getMessage().contains("cannot decode"),
                e.getMessage());
    }

    @Test
    void zeroByteAndGarbageFilesAreRefusedWithReasons() {
        assertEquals("zero-byte file", assertThrows(BadImageException.class, () -> decoder.decode(new byte[0])).getMessage());
        BadImageException e = assertThrows(BadImageException.class,
                () -> decoder.decode("this is not an image".getBytes()));
        assertTrue(e.getMessage().startsWith("not a recognised image format"), e.getMessage());
    }

    @Test
    void gifAndPngAreDecodedByContentWhateverTheirName() throws Exception {
        BufferedImage src = TestImages.gradient(20, 10, BufferedImage.TYPE_INT_RGB);
        RgbImage gif = decoder.decode(TestImages.encode(src, "gif"));
        assertEquals(20, gif.width());
        RgbImage rgba = decoder.decode(TestImages.encode(TestImages.gradient(20, 10, BufferedImage.TYPE_INT_ARGB), "png"));
        assertEquals(10, rgba.height());
        assertEquals(20 * 10 * 3, rgba.pixels().length);
    }

    @Test
    void greyscaleJpegIsConvertedToRgb() throws Exception {
        BufferedImage grey = new BufferedImage(16, 16, BufferedImage.TYPE_BYTE_GRAY);
        grey.getRaster().setSample(3, 4, 0, 200);
        RgbImage img = decoder.decode(TestImages.encode(grey, "jpeg"));
        int p = (4 * 16 + 3) * 3;
        assertEquals(img.pixels()[p], img.pixels()[p + 1], "grey stays grey in every channel");
        assertEquals(img.pixels()[p], img.pixels()[p + 2]);
    }

    @Test
    void absurdDimensionsAreRefusedBeforeDecoding() {
        BadImageException e = assertThrows(BadImageException.class,
                () -> decoder.decode(TestImages.pngHeaderOnly(200_000, 200_000)));
        assertTrue(e.getMessage().contains("decompression-bomb guard"), e.getMessage());
    }

    @Test
    void headerSizeWithoutDecoding() throws Exception {
        int[] size = ImageDecoder.size(new java.io.ByteArrayInputStream(TestImages.pngHeaderOnly(640, 480)));
        assertEquals(640, size[0]);
        assertEquals(480, size[1]);
    }

    @Test
    void labelPngRoundTrip() throws Exception {
        byte[] labels = new byte[6 * 4];
        labels[5] = 3;
        labels[23] = (byte) 255;
        int[] size = new int[2];
        byte[] back = LabelPng.decode(LabelPng.encode(labels, 6, 4), size);
        assertEquals(6, size[0]);
        assertEquals(4, size[1]);
        assertTrue(Arrays.equals(labels, back));
    }
}
