package org.segspark.jobs.predict;

import org.junit.jupiter.api.Test;
import org.segspark.preprocess.image.Resize;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Label maps go back to the image's own size through the placement training used. */
class ImagePredictorTest {

    @Test
    void stretchedLabelsScaleBackBlockByBlock() {
        byte[] tensor = {0, 1, 2, 3, 4, 5, 6, 7};            // 4 wide, 2 high
        byte[] image = ImagePredictor.toImageSize(tensor, 4, 2, 8, 4, Resize.Aspect.STRETCH);
        assertArrayEquals(new byte[] {
                0, 0, 1, 1, 2, 2, 3, 3,
                0, 0, 1, 1, 2, 2, 3, 3,
                4, 4, 5, 5, 6, 6, 7, 7,
                4, 4, 5, 5, 6, 6, 7, 7}, image);
    }

    @Test
    void paddedLabelsDropThePaddingBeforeScalingBack() {
        // an 8x4 image padded into a 4x4 tensor: content in rows 1-2, padding rows predicted as 9
        byte[] tensor = {
                9, 9, 9, 9,
                0, 1, 2, 3,
                4, 5, 6, 7,
                9, 9, 9, 9};
        byte[] image = ImagePredictor.toImageSize(tensor, 4, 4, 8, 4, Resize.Aspect.PAD);
        assertEquals(32, image.length);
        assertArrayEquals(ImagePredictor.toImageSize(new byte[] {0, 1, 2, 3, 4, 5, 6, 7}, 4, 2, 8, 4,
                Resize.Aspect.STRETCH), image);
    }

    @Test
    void imageFilesAreKnownByExtension() {
        assertTrue(PredictJob.isImageName("a/b/c.JPG"));
        assertTrue(PredictJob.isImageName("x.tiff"));
        assertFalse(PredictJob.isImageName("notes.txt"));
        assertFalse(PredictJob.isImageName("dir.png/file"));
        assertFalse(PredictJob.isImageName(".png"), "a hidden file with no stem");
        assertEquals("a/b.png", ImagePredictor.pngName("a/b.jpeg"));
    }
}
