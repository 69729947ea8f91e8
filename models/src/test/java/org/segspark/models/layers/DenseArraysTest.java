package org.segspark.models.layers;

import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.shape.Shape;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;

import java.nio.FloatBuffer;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Which arrays segspark's kernels read in place, and which they copy first. */
class DenseArraysTest {
    private static INDArray counting(long... shape) {
        return Nd4j.arange(Shape.lengthOf(shape)).castTo(DataType.FLOAT).reshape('c', shape);
    }

    @Test
    void sizeOneAxesDoNotForceACopy() {
        // ND4J's own check says no to these: a 1x1 convolution's weights and a batch of 1x1 maps
        for (INDArray a : new INDArray[] {counting(512, 512, 1, 1), counting(4, 8, 1, 1), counting(3, 1, 5, 5), counting(1, 7)}) {
            assertFalse(Shape.hasDefaultStridesForShape(a) && a.rank() == 4, "ND4J changed its check: " + a.shapeInfoToString());
            assertTrue(DenseArrays.denseC(a), a.shapeInfoToString());
            assertSame(a, DenseArrays.contiguous(a));
        }
    }

    @Test
    void aRowOfAMatrixIsReadFromItsOffset() {
        INDArray m = counting(6, 10);
        INDArray row = m.get(NDArrayIndex.point(3), NDArrayIndex.all());
        assertTrue(DenseArrays.denseC(row));
        FloatBuffer b = DenseArrays.buffer(DenseArrays.contiguous(row));
        float[] got = new float[10];
        b.get(0, got);
        assertArrayEquals(row.toFloatVector(), got);
        assertEquals(30f, got[0]);
    }

    @Test
    void stridedAndPermutedViewsAreCopied() {
        INDArray t = counting(3, 4, 5);
        INDArray[] views = {t.permute(2, 1, 0), t.get(NDArrayIndex.all(), NDArrayIndex.interval(0, 2), NDArrayIndex.all()),
            t.reshape(60).get(NDArrayIndex.interval(0, 2, 60)), counting(4, 6).transpose()};
        for (INDArray v : views) {
            assertFalse(DenseArrays.denseC(v), v.shapeInfoToString());
            INDArray c = DenseArrays.contiguous(v);
            assertNotSame(v, c);
            float[] got = new float[(int) v.length()];
            DenseArrays.buffer(c).get(0, got);
            assertArrayEquals(v.dup('c').reshape(v.length()).toFloatVector(), got);
        }
    }

    @Test
    void onlyFloatArraysCount() {
        assertTrue(DenseArrays.denseFloats(counting(2, 3)));
        assertFalse(DenseArrays.denseFloats(counting(2, 3).castTo(DataType.DOUBLE)));
        assertFalse(DenseArrays.denseFloats(null));
    }
}
