package org.segspark.jobs.train;

import org.segspark.jobs.eval.ConfusionMatrix;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ConfusionMatrixTest {
    @Test
    void iouIsOverTheWholeSet() {
        ConfusionMatrix cm = new ConfusionMatrix(3);
        cm.add(0, 0, 50);
        cm.add(1, 1, 30);
        cm.add(1, 0, 10);
        cm.add(0, 1, 10);
        // class 0: TP 50, FP 10, FN 10 -> 50/70; class 1: TP 30, FP 10, FN 10 -> 30/50; class 2 absent
        double[] iou = cm.iou();
        assertEquals(50.0 / 70, iou[0], 1e-12);
        assertEquals(30.0 / 50, iou[1], 1e-12);
        assertTrue(Double.isNaN(iou[2]));
        assertEquals((50.0 / 70 + 30.0 / 50) / 2, cm.meanIou(), 1e-12);
        assertEquals(80.0 / 100, cm.accuracy(), 1e-12);
    }

    @Test
    void mergeAddsCounts() {
        ConfusionMatrix a = new ConfusionMatrix(2), b = new ConfusionMatrix(2);
        a.add(1, 1, 3);
        b.add(1, 1, 4);
        b.add(0, 1);
        a.merge(b);
        assertEquals(7, a.get(1, 1));
        assertEquals(1, a.get(0, 1));
        assertEquals(8, a.total());
    }
}
