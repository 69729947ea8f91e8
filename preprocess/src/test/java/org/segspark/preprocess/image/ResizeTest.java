package org.segspark.preprocess.image;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

class ResizeTest {
    private static RgbImage constant(int w, int h, int v) {
        byte[] p = new byte[w * h * 3];
        java.util.Arrays.fill(p, (byte) v);
        return new RgbImage(w, h, p);
    }

    @Test
    void constantImageStaysConstantAtAnyScale() {
        for (int[] size : new int[][] {{7, 5}, {64, 64}, {200, 31}}) {
            RgbImage out = Resize.rgb(constant(97, 61, 173), size[0], size[1], Resize.Aspect.STRETCH);
            for (byte b : out.pixels()) {
                assertEquals(173, b & 0xff);
            }
        }
    }

    @Test
    void halvingAveragesPixelPairsInsteadOfDroppingThem() {
        // columns alternate 0 and 200: a 2x reduction must give their mean, not one of them
        int w = 8, h = 2;
        byte[] p = new byte[w * h * 3];
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                for (int c = 0; c < 3; c++) {
                    p[(y * w + x) * 3 + c] = (byte) (x % 2 == 0 ? 0 : 200);
                }
            }
        }
        RgbImage out = Resize.rgb(new RgbImage(w, h, p), 4, 1, Resize.Aspect.STRETCH);
        for (int x = 1; x < 3; x++) {
            assertEquals(100, out.pixels()[x * 3] & 0xff, 2);
        }
    }

    @Test
    void labelsUseNearestNeighbourAndKeepClassValues() {
        byte[] src = {1, 1, 2, 2, 1, 1, 2, 2};
        byte[] out = Resize.labels(src, 4, 2, 2, 1, Resize.Aspect.STRETCH, (byte) 255);
        assertArrayEquals(new byte[] {1, 2}, out);
    }

    @Test
    void padKeepsAspectAndMarksPaddingAsIgnore() {
        byte[] src = new byte[8 * 4];
        java.util.Arrays.fill(src, (byte) 1);
        byte[] out = Resize.labels(src, 8, 4, 4, 4, Resize.Aspect.PAD, (byte) 255);
        // 8x4 fits 4x4 as 4x2, centred: rows 0 and 3 are padding
        assertEquals(255, out[0] & 0xff);
        assertEquals(1, out[4] & 0xff);
        assertEquals(1, out[8] & 0xff);
        assertEquals(255, out[12] & 0xff);
        RgbImage img = Resize.rgb(constant(8, 4, 90), 4, 4, Resize.Aspect.PAD);
        assertEquals(0, img.pixels()[0] & 0xff);
        assertEquals(90, img.pixels()[4 * 3] & 0xff);
    }
}
