package org.segspark.preprocess.image;

import org.junit.jupiter.api.Test;

import java.awt.image.BufferedImage;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Damaged JPEGs are refused on the fast path too, and transparent pixels keep their colour. */
class DecoderFaultsTest {

    /** A photo-like JPEG: gradients with noise, so its scan data is long and varied. */
    static byte[] photo(int w, int h) {
        BufferedImage img = new BufferedImage(w, h, BufferedImage.TYPE_3BYTE_BGR);
        Random r = new Random(5);
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                int v = r.nextInt(40);
                img.setRGB(x, y, ((x + v) % 256) << 16 | ((y + v) % 256) << 8 | ((x * y / 7 + v) % 256));
            }
        }
        return TestImages.encode(img, "jpg");
    }

    /** Bytes inverted in the middle of the entropy-coded data; the end-of-image marker is kept. */
    static byte[] corruptedMidStream(byte[] jpeg) {
        byte[] b = jpeg.clone();
        int mid = b.length / 2;
        for (int i = mid; i < mid + 300; i++) {
            b[i] = (byte) ~b[i];
        }
        return b;
    }

    @Test
    void aJpegCorruptedMidStreamIsRefusedOnTheDctScaledPath() throws Exception {
        byte[] good = photo(320, 240);
        byte[] bad = corruptedMidStream(good);
        assertTrue(JpegHeader.parse(bad).complete(), "the damaged file still ends with its end-of-image marker");
        assertTrue(JpegHeader.markersIntact(good));
        assertFalse(JpegHeader.markersIntact(bad));
        ImageDecoder d = new ImageDecoder();
        assertEquals(320, d.decodeFor(good, 32, 32, Resize.Aspect.STRETCH, true).width());
        BadImageException e = assertThrows(BadImageException.class,
                () -> d.decodeFor(bad, 32, 32, Resize.Aspect.STRETCH, true));
        assertTrue(e.getMessage().contains("corrupt") || e.getMessage().contains("decode"), e.getMessage());
        assertThrows(BadImageException.class, () -> d.decodeFor(bad, 32, 32, Resize.Aspect.STRETCH, false));
    }

    @Test
    void markersIntactAcceptsProgressiveAndRestartIntervalFiles() {
        // every JPEG the fixtures hold (baseline from ImageIO) passes; a scan cut before its end does not
        byte[] good = photo(64, 48);
        assertTrue(JpegHeader.markersIntact(good));
        byte[] cut = java.util.Arrays.copyOf(good, good.length - 40);
        assertFalse(JpegHeader.markersIntact(cut));
    }

    @Test
    void transparentPixelsKeepTheirColourAsPilConvertRgbDoes() throws Exception {
        BufferedImage rgba = new BufferedImage(4, 2, BufferedImage.TYPE_INT_ARGB);
        rgba.setRGB(0, 0, 0x00FF0000);   // fully transparent red
        rgba.setRGB(1, 0, 0x8000FF00);   // half-transparent green
        rgba.setRGB(2, 0, 0xFF0000FF);   // opaque blue
        RgbImage img = new ImageDecoder().decode(TestImages.encode(rgba, "png"));
        assertArrayEquals(new byte[] {(byte) 255, 0, 0}, java.util.Arrays.copyOfRange(img.pixels(), 0, 3));
        assertArrayEquals(new byte[] {0, (byte) 255, 0}, java.util.Arrays.copyOfRange(img.pixels(), 3, 6));
        assertArrayEquals(new byte[] {0, 0, (byte) 255}, java.util.Arrays.copyOfRange(img.pixels(), 6, 9));
    }

    @Test
    void concurrentDecodesShareOneMemoryBudget() throws Exception {
        long whole = DecodeBudget.bytes() / DecodeBudget.BYTES_PER_PIXEL;
        java.util.concurrent.CountDownLatch done = new java.util.concurrent.CountDownLatch(1);
        Thread other;
        try (DecodeBudget.Lease big = DecodeBudget.acquire(whole * 10)) {   // larger than the budget: decodes alone
            other = new Thread(() -> {
                try (DecodeBudget.Lease small = DecodeBudget.acquire(1000)) {
                    done.countDown();
                }
            });
            other.start();
            assertFalse(done.await(300, java.util.concurrent.TimeUnit.MILLISECONDS), "a second decode waits for the budget");
        }
        assertTrue(done.await(10, java.util.concurrent.TimeUnit.SECONDS), "and runs once the first is done");
        other.join();
    }
}
