package org.segspark.preprocess.image;

import org.junit.jupiter.api.Test;
import org.segspark.preprocess.TestData;

import java.awt.image.BufferedImage;
import java.util.Arrays;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Decoding JPEGs at a reduced DCT scale gives, after the resize, the tensor a full decode gives
 * within a few grey levels on average (0.1 to 2.7 on these real COCO photos); everything the fast
 * path cannot vouch for goes the full ImageIO way with its checks.
 */
class ScaledJpegDecodingTest {
    static final List<String> COCO = List.of("000000184324.jpg", "000000223747.jpg", "000000331799.jpg",
            "000000404484.jpg", "000000491008.jpg", "000000521601.jpg", "000000555009.jpg");
    private final ImageDecoder decoder = new ImageDecoder();

    static byte[] coco(String name) {
        return TestData.bytes("coco_val2017_tiny/val2017/" + name);
    }

    @Test
    void headerGivesTheSizeImageIoDecodes() throws Exception {
        for (String name : COCO) {
            byte[] bytes = coco(name);
            JpegHeader h = JpegHeader.parse(bytes);
            assertNotNull(h, name);
            RgbImage full = decoder.decode(bytes);
            assertEquals(full.width(), h.width(), name);
            assertEquals(full.height(), h.height(), name);
            assertEquals(3, h.components(), name);
            assertTrue(h.complete(), name);
            assertFalse(JpegHeader.parse(Arrays.copyOf(bytes, bytes.length / 2)).complete(), name);
        }
        assertNull(JpegHeader.parse(TestImages.encode(TestImages.gradient(8, 8, BufferedImage.TYPE_INT_RGB), "png")));
    }

    @Test
    void reducedDecodesResizeToTheFullDecodesTensor() throws Exception {
        double worstMean = 0;
        for (String name : COCO) {
            byte[] bytes = coco(name);
            for (int side : new int[] {64, 128}) {
                ImageDecoder.Decoded fast = decoder.decodeFor(bytes, side, side, Resize.Aspect.STRETCH, true);
                // the same libjpeg-turbo at full scale, which decodes exactly as PIL does; ImageIO's
                // older libjpeg differs on some files (000000491008.jpg: 3.4 grey levels on average)
                RgbImage full = ScaledJpegDecoder.decode(bytes, 1);
                assertEquals(full.width(), fast.width());
                assertEquals(full.height(), fast.height());
                boolean halvable = full.width() / 2 >= side && full.height() / 2 >= side;
                assertEquals(halvable, fast.image().width() < full.width(), name + ": decoded at a reduced scale when it can be");
                assertTrue(fast.image().width() >= side && fast.image().height() >= side, name);
                byte[] a = fast.resized(side, side, Resize.Aspect.STRETCH).pixels();
                byte[] b = Resize.rgb(full, side, side, Resize.Aspect.STRETCH).pixels();
                long sum = 0;
                for (int i = 0; i < a.length; i++) {
                    sum += Math.abs((a[i] & 0xff) - (b[i] & 0xff));
                }
                worstMean = Math.max(worstMean, sum / (double) a.length);
            }
        }
        System.out.printf("scaled JPEG decoding: worst mean absolute difference %.3f grey levels%n", worstMean);
        assertTrue(worstMean < 3.0, "mean absolute difference per channel " + worstMean);
    }

    @Test
    void theScaleKeepsAtLeastThePlacedContentsPixels() throws Exception {
        byte[] bytes = coco("000000331799.jpg");                        // 640x464
        assertEquals(320, decoder.decodeFor(bytes, 128, 128, Resize.Aspect.STRETCH, true).image().width());
        assertEquals(160, decoder.decodeFor(bytes, 64, 64, Resize.Aspect.STRETCH, true).image().width());
        assertEquals(80, decoder.decodeFor(bytes, 32, 32, Resize.Aspect.STRETCH, true).image().width());
        // padded into 128x128 the content is 128x93: 1/4 scale (160x116) still covers it
        assertEquals(160, decoder.decodeFor(bytes, 128, 128, Resize.Aspect.PAD, true).image().width());
        assertEquals(640, decoder.decodeFor(bytes, 400, 400, Resize.Aspect.STRETCH, true).image().width());
    }

    @Test
    void withoutDctScalingTheTensorIsTheFullDecodes() throws Exception {
        byte[] bytes = coco("000000223747.jpg");
        ImageDecoder.Decoded d = decoder.decodeFor(bytes, 96, 96, Resize.Aspect.STRETCH, false);
        assertArrayEquals(Resize.rgb(decoder.decode(bytes), 96, 96, Resize.Aspect.STRETCH).pixels(),
                d.resized(96, 96, Resize.Aspect.STRETCH).pixels());
    }

    @Test
    void whatTheFastPathCannotVouchForGoesTheCheckedWay() throws Exception {
        byte[] cut = Arrays.copyOf(coco("000000223747.jpg"), coco("000000223747.jpg").length / 2);
        assertThrows(BadImageException.class, () -> decoder.decodeFor(cut, 64, 64, Resize.Aspect.STRETCH, true));
        BadImageException bomb = assertThrows(BadImageException.class,
                () -> new ImageDecoder(1000).decodeFor(coco("000000223747.jpg"), 8, 8, Resize.Aspect.STRETCH, true));
        assertTrue(bomb.getMessage().contains("decompression-bomb"), bomb.getMessage());
        // a greyscale JPEG becomes RGB with equal channels
        BufferedImage grey = TestImages.gradient(64, 48, BufferedImage.TYPE_BYTE_GRAY);
        ImageDecoder.Decoded g = decoder.decodeFor(TestImages.encode(grey, "jpg"), 16, 16, Resize.Aspect.STRETCH, true);
        assertEquals(64, g.width());
        assertEquals(32, g.image().width(), "decoded at 1/2: at 1/4 it would be 16x12, under 16 rows");
        byte[] px = g.image().pixels();
        for (int i = 0; i < px.length; i += 3) {
            assertEquals(px[i], px[i + 1]);
            assertEquals(px[i], px[i + 2]);
        }
        // PNG: decoded in full
        byte[] png = TestImages.encode(TestImages.gradient(40, 30, BufferedImage.TYPE_INT_RGB), "png");
        assertEquals(40, decoder.decodeFor(png, 8, 8, Resize.Aspect.STRETCH, true).image().width());
    }
}
