package org.segspark.jobs.train;

import org.segspark.jobs.data.Augmentation;
import org.segspark.jobs.data.InputNormalizer;
import org.segspark.jobs.data.ShardBatchLoader;
import org.segspark.jobs.data.Targets;

import org.segspark.jobs.data.Normalization;

import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.api.MultiDataSet;
import org.segspark.core.shards.ShardRow;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ShardBatchLoaderTest {
    static final int H = 4, W = 6;
    static final Augmentation FLIP = new Augmentation(true, 0);
    static final InputNormalizer RAW = InputNormalizer.of(Normalization.DATASET, 3, new double[] {0, 0, 0},
            new double[] {1, 1, 1});

    /** Red ramps left to right; class 1 on the left third, 2 on the middle third, 0 on the right. */
    static ShardRow row(int i) {
        byte[] img = new byte[H * W * 3], mask = new byte[H * W];
        for (int y = 0; y < H; y++) {
            for (int x = 0; x < W; x++) {
                img[(y * W + x) * 3] = (byte) (x * 40);
                mask[y * W + x] = (byte) (x < 2 ? 1 : x < 4 ? 2 : 0);
            }
        }
        return ShardRow.segmentation("row-" + i, "test", "train", H, W, img, mask);
    }

    @Test
    void featuresAreEachChannelsPlaneNormalisedWithItsOwnStatistics() {
        InputNormalizer rgb = InputNormalizer.of(Normalization.DATASET, 3, new double[] {10, 20, 30}, new double[] {2, 4, 8});
        List<ShardRow> rows = List.of(numbered(0), numbered(1));
        INDArray x = new ShardBatchLoader(Targets.segmentation(3, H, W), rgb, null, null, 0).toDataSet(rows).getFeatures(0);
        assertArrayEquals(new long[] {2, 3, H, W}, x.shape());
        for (int y = 0; y < H; y++) {
            for (int xx = 0; xx < W; xx++) {
                assertEquals((1 + y * W + xx - 10) / 2f, x.getFloat(1, 0, y, xx), 1e-6f);
                assertEquals((0 - 20) / 4f, x.getFloat(1, 1, y, xx), 1e-6f);
                assertEquals((200 - 30) / 8f, x.getFloat(1, 2, y, xx), 1e-6f);
            }
        }
        byte[] grey = new byte[H * W];
        for (int p = 0; p < grey.length; p++) {
            grey[p] = (byte) (250 - p);
        }
        ShardRow g = new ShardRow("grey", "test", "train", H, W, 1, grey, null, 4);
        INDArray one = new ShardBatchLoader(Targets.classification(5),
                InputNormalizer.of(Normalization.DATASET, 1, new double[] {100}, new double[] {50}), null, null, 0)
                .toDataSet(List.of(g, g)).getFeatures(0);
        assertArrayEquals(new long[] {2, 1, H, W}, one.shape());
        assertEquals((250 - 100) / 50f, one.getFloat(1, 0, 0, 0), 1e-6f);
        assertEquals((250 - (H * W - 1) - 100) / 50f, one.getFloat(1, 0, H - 1, W - 1), 1e-6f);
    }

    @Test
    void flippingMirrorsImageAndLabelsTogetherAboutHalfTheTime() {
        List<ShardRow> rows = new ArrayList<>();
        for (int i = 0; i < 64; i++) {
            rows.add(row(i));
        }
        InputNormalizer raw = RAW;
        Targets t = Targets.segmentation(3, H, W);
        MultiDataSet plain = new ShardBatchLoader(t, raw, 7L, null, 0, Augmentation.NONE, 0).toDataSet(rows);
        MultiDataSet flipped = new ShardBatchLoader(t, raw, 7L, null, 0, FLIP, 0).toDataSet(rows);
        MultiDataSet again = new ShardBatchLoader(t, raw, 7L, null, 0, FLIP, 0).toDataSet(rows);
        assertEquals(flipped.getFeatures(0), again.getFeatures(0), "seeded: the same examples flip every time");
        int mirrored = 0;
        for (int i = 0; i < rows.size(); i++) {
            INDArray x = flipped.getFeatures(0).get(org.nd4j.linalg.indexing.NDArrayIndex.point(i));
            INDArray y = flipped.getLabels(0).get(org.nd4j.linalg.indexing.NDArrayIndex.point(i));
            boolean m = x.getFloat(0, 0, 0) > x.getFloat(0, 0, W - 1);
            for (int yy = 0; yy < H; yy++) {
                for (int xx = 0; xx < W; xx++) {
                    int src = m ? W - 1 - xx : xx;
                    assertEquals(plain.getFeatures(0).getFloat(i, 0, yy, src), x.getFloat(0, yy, xx), 0f);
                    for (int c = 0; c < 3; c++) {
                        assertEquals(plain.getLabels(0).getFloat(i, c, yy, src), y.getFloat(c, yy, xx), 0f);
                    }
                }
            }
            mirrored += m ? 1 : 0;
        }
        assertTrue(mirrored > 16 && mirrored < 48, mirrored + " of 64 mirrored");
        MultiDataSet eval = new ShardBatchLoader(t, raw, null, null, 0, FLIP, 0).toDataSet(rows);
        assertEquals(plain.getFeatures(0), eval.getFeatures(0), "no seed (evaluation): never flipped");
    }

    /** Every pixel told apart: red 1 + y * W + x, class (x + y) mod 3. */
    static ShardRow numbered(int i) {
        byte[] img = new byte[H * W * 3], mask = new byte[H * W];
        for (int y = 0; y < H; y++) {
            for (int x = 0; x < W; x++) {
                img[(y * W + x) * 3] = (byte) (1 + y * W + x);
                img[(y * W + x) * 3 + 2] = (byte) 200;
                mask[y * W + x] = (byte) ((x + y) % 3);
            }
        }
        return ShardRow.segmentation("row-" + i, "test", "train", H, W, img, mask);
    }

    @Test
    void shiftingMovesImageAndLabelsTogetherWithABlackIgnoredBorder() {
        List<ShardRow> rows = new ArrayList<>();
        for (int i = 0; i < 200; i++) {
            rows.add(numbered(i));
        }
        Targets t = Targets.segmentation(3, H, W);
        for (boolean flip : new boolean[] {false, true}) {
            ShardBatchLoader loader = new ShardBatchLoader(t, RAW, 11L, null, 0, new Augmentation(flip, 2), 0);
            MultiDataSet plain = new ShardBatchLoader(t, RAW, 11L, null, 0, Augmentation.NONE, 0).toDataSet(rows);
            MultiDataSet moved = loader.toDataSet(rows);
            assertEquals(moved.getFeatures(0), loader.toDataSet(rows).getFeatures(0), "seeded: the same moves every time");
            Set<List<Integer>> offsets = new HashSet<>();
            for (int i = 0; i < rows.size(); i++) {
                int[] o = loader.offset(rows.get(i));
                offsets.add(List.of(o[0], o[1]));
                boolean m = loader.mirrored(rows.get(i));
                for (int y = 0; y < H; y++) {
                    for (int x = 0; x < W; x++) {
                        // mirrored after the move: column x shows the moved image's column W - 1 - x
                        int sy = y - o[0], sx = (m ? W - 1 - x : x) - o[1];
                        boolean inside = sy >= 0 && sy < H && sx >= 0 && sx < W;
                        for (int c = 0; c < 3; c++) {
                            float want = inside ? plain.getFeatures(0).getFloat(i, c, sy, sx) : 0f;
                            assertEquals(want, moved.getFeatures(0).getFloat(i, c, y, x), 0f,
                                    "row " + i + " offset " + o[0] + "," + o[1] + " pixel " + y + "," + x);
                            float label = inside ? plain.getLabels(0).getFloat(i, c, sy, sx) : 0f;
                            assertEquals(label, moved.getLabels(0).getFloat(i, c, y, x), 0f);
                        }
                        assertEquals(inside ? 1f : 0f, moved.getLabelsMaskArray(0).getFloat(i, 0, y, x), 0f,
                                "the border uncovered by the move is ignored");
                    }
                }
            }
            assertEquals(25, offsets.size(), "every move in [-2, 2] x [-2, 2] is drawn: " + offsets);
        }
        MultiDataSet eval = new ShardBatchLoader(t, RAW, null, null, 0, new Augmentation(true, 2), 0).toDataSet(rows);
        assertEquals(new ShardBatchLoader(t, RAW, null, null, 0).toDataSet(rows).getFeatures(0), eval.getFeatures(0),
                "no seed (evaluation): never moved");
    }

    @Test
    void aMoveBeyondTheImageLeavesOnlyTheFill() {
        byte[] img = {1, 2, 3, 4, 5, 6};
        assertArrayEquals(new byte[] {9, 9, 9, 9, 9, 9}, ShardBatchLoader.shifted(img, 2, 3, 1, new int[] {0, 3}, (byte) 9));
        assertArrayEquals(new byte[] {0, 0, 0, 1, 2, 3}, ShardBatchLoader.shifted(img, 2, 3, 1, new int[] {1, 0}, (byte) 0));
        assertArrayEquals(new byte[] {2, 3, 0, 5, 6, 0}, ShardBatchLoader.shifted(img, 2, 3, 1, new int[] {0, -1}, (byte) 0));
        assertArrayEquals(new byte[] {0, 0, 1, 2, 3, 4}, ShardBatchLoader.shifted(img, 3, 1, 2, new int[] {1, 0}, (byte) 0),
                "two channels per pixel move together");
    }
}
