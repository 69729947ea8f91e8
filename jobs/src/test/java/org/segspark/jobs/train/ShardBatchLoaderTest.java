package org.segspark.jobs.train;

import org.segspark.jobs.data.InputNormalizer;
import org.segspark.jobs.data.ShardBatchLoader;
import org.segspark.jobs.data.Targets;

import org.segspark.jobs.data.Normalization;

import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.api.MultiDataSet;
import org.segspark.core.shards.ShardRow;

import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ShardBatchLoaderTest {
    static final int H = 4, W = 6;

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
    void flippingMirrorsImageAndLabelsTogetherAboutHalfTheTime() {
        List<ShardRow> rows = new ArrayList<>();
        for (int i = 0; i < 64; i++) {
            rows.add(row(i));
        }
        InputNormalizer raw = InputNormalizer.of(Normalization.DATASET, new double[] {0, 0, 0}, new double[] {1, 1, 1});
        Targets t = Targets.segmentation(3, H, W);
        MultiDataSet plain = new ShardBatchLoader(t, raw, 7L, null, 0, false).toDataSet(rows);
        MultiDataSet flipped = new ShardBatchLoader(t, raw, 7L, null, 0, true).toDataSet(rows);
        MultiDataSet again = new ShardBatchLoader(t, raw, 7L, null, 0, true).toDataSet(rows);
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
        MultiDataSet eval = new ShardBatchLoader(t, raw, null, null, 0, true).toDataSet(rows);
        assertEquals(plain.getFeatures(0), eval.getFeatures(0), "no seed (evaluation): never flipped");
    }
}
