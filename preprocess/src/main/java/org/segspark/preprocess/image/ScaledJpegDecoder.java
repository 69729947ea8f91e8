package org.segspark.preprocess.image;

import org.bytedeco.javacpp.BytePointer;
import org.bytedeco.javacpp.Loader;
import org.bytedeco.opencv.global.opencv_core;
import org.bytedeco.opencv.global.opencv_imgcodecs;
import org.bytedeco.opencv.opencv_core.Mat;

/**
 * Decodes a JPEG at 1/1, 1/2, 1/4 or 1/8 of its size in the DCT domain (libjpeg-turbo through
 * OpenCV's imgcodecs): a 640x480 photo bound for a 128x128 tensor needs only its 320x240 version,
 * and computing that from 4x4 instead of 8x8 inverse DCTs halves the decoding time. EXIF
 * orientation is ignored, as annotations refer to the stored pixel grid.
 */
final class ScaledJpegDecoder {
    private static volatile boolean loaded;

    private ScaledJpegDecoder() {
    }

    private static void load() {
        if (!loaded) {
            synchronized (ScaledJpegDecoder.class) {
                if (!loaded) {
                    Loader.load(opencv_imgcodecs.class);
                    loaded = true;
                }
            }
        }
    }

    /** The decoded pixels as RGB, or null when libjpeg gave up (the caller falls back to ImageIO for the reason). */
    static RgbImage decode(byte[] bytes, int denominator) {
        load();
        int flags = opencv_imgcodecs.IMREAD_IGNORE_ORIENTATION | switch (denominator) {
            case 1 -> opencv_imgcodecs.IMREAD_COLOR;
            case 2 -> opencv_imgcodecs.IMREAD_REDUCED_COLOR_2;
            case 4 -> opencv_imgcodecs.IMREAD_REDUCED_COLOR_4;
            case 8 -> opencv_imgcodecs.IMREAD_REDUCED_COLOR_8;
            default -> throw new IllegalArgumentException("DCT scale 1/" + denominator + " is not one of 1, 1/2, 1/4, 1/8");
        };
        try (BytePointer data = new BytePointer(bytes);
             Mat buffer = new Mat(1, bytes.length, opencv_core.CV_8UC1, data);
             Mat bgr = opencv_imgcodecs.imdecode(buffer, flags)) {
            if (bgr == null || bgr.empty() || bgr.channels() != 3 || bgr.depth() != opencv_core.CV_8U) {
                return null;
            }
            int w = bgr.cols(), h = bgr.rows();
            byte[] px = new byte[w * h * 3];
            bgr.data().get(px);
            for (int i = 0; i < px.length; i += 3) {
                byte t = px[i];
                px[i] = px[i + 2];
                px[i + 2] = t;
            }
            return new RgbImage(w, h, px);
        }
    }
}
