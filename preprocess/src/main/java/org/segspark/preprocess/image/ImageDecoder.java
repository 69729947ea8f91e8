package org.segspark.preprocess.image;

import java.io.InputStream;
import java.util.Locale;

import javax.imageio.IIOException;
import javax.imageio.ImageIO;
import javax.imageio.ImageReadParam;
import javax.imageio.ImageReader;
import javax.imageio.event.IIOReadWarningListener;
import javax.imageio.stream.ImageInputStream;
import java.awt.Graphics2D;
import java.awt.image.BufferedImage;
import java.awt.image.DataBufferByte;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;

/**
 * Decodes image files to RGB by their content, not their name (a GIF or PNG named .jpg is still
 * read). A file that decodes only partly (a truncated JPEG) is refused: ImageIO would otherwise
 * return it with grey where the data ran out.
 */
public final class ImageDecoder {
    /** Decompression-bomb guard: no sane training image has more pixels than this. */
    public static final long DEFAULT_MAX_PIXELS = 100_000_000L;

    private final long maxPixels;

    public ImageDecoder(long maxPixels) {
        this.maxPixels = maxPixels;
    }

    public ImageDecoder() {
        this(DEFAULT_MAX_PIXELS);
    }

    public RgbImage decode(byte[] bytes) throws BadImageException {
        return toRgb(decodeImage(bytes));
    }

    /**
     * An image decoded for a resize, with the file's own size: the pixels may be a reduced decode.
     */
    public record Decoded(RgbImage image, int width, int height) {
        /** The resized tensor image: placement from the file's size, pixels from the (maybe reduced) decode. */
        public RgbImage resized(int dstW, int dstH, Resize.Aspect aspect) {
            Resize.Placement p = Resize.Placement.of(width, height, dstW, dstH, aspect);
            return Resize.rgb(image, dstW, dstH, p);
        }
    }

    /**
     * Decodes for a resize to {@code dstW} x {@code dstH} placed by {@code aspect}. A complete
     * baseline or progressive JPEG with one or three components is decoded at the smallest DCT
     * scale (1/8, 1/4, 1/2) that still leaves at least the placed content's pixels on each axis
     * (the rule of PIL's draft mode), when {@code dctScaling} allows; everything else (other
     * formats, CMYK, files cut short, anything libjpeg-turbo refuses) through {@link #decode},
     * with its checks and messages.
     */
    public Decoded decodeFor(byte[] bytes, int dstW, int dstH, Resize.Aspect aspect, boolean dctScaling)
            throws BadImageException {
        JpegHeader jpeg = dctScaling ? JpegHeader.parse(bytes) : null;
        // libjpeg-turbo under OpenCV fills what it cannot decode with grey and says so only on
        // stderr: a file whose markers are out of place goes through ImageIO, which reports it.
        if (jpeg != null && jpeg.complete() && JpegHeader.markersIntact(bytes) && (jpeg.components() == 1 || jpeg.components() == 3)
                && (jpeg.sof() == 0xC0 || jpeg.sof() == 0xC1 || jpeg.sof() == 0xC2)
                && jpeg.width() > 0 && jpeg.height() > 0 && (long) jpeg.width() * jpeg.height() <= maxPixels) {
            Resize.Placement p = Resize.Placement.of(jpeg.width(), jpeg.height(), dstW, dstH, aspect);
            int d = 8;
            while (d > 1 && (jpeg.width() / d < p.width() || jpeg.height() / d < p.height())) {
                d /= 2;
            }
            RgbImage img;
            try (DecodeBudget.Lease ignored = DecodeBudget.acquire((long) jpeg.width() * jpeg.height() / ((long) d * d))) {
                img = ScaledJpegDecoder.decode(bytes, d);
            }
            if (img != null && img.width() == (jpeg.width() + d - 1) / d && img.height() == (jpeg.height() + d - 1) / d) {
                return new Decoded(img, jpeg.width(), jpeg.height());
            }
        }
        RgbImage full = decode(bytes);
        return new Decoded(full, full.width(), full.height());
    }

    /** Decodes keeping the file's own colour model (a grey label PNG stays grey). */
    public BufferedImage decodeImage(byte[] bytes) throws BadImageException {
        if (bytes.length == 0) {
            throw new BadImageException("zero-byte file");
        }
        try (ImageInputStream in = ImageIO.createImageInputStream(new ByteArrayInputStream(bytes))) {
            Iterator<ImageReader> readers = ImageIO.getImageReaders(in);
            if (!readers.hasNext()) {
                throw new BadImageException("not a recognised image format (first bytes " + hexPrefix(bytes) + ")");
            }
            ImageReader reader = readers.next();
            List<String> warnings = new ArrayList<>();
            try {
                reader.setInput(in, true, true);
                reader.addIIOReadWarningListener(new IIOReadWarningListener() {
                    @Override
                    public void warningOccurred(ImageReader source, String warning) {
                        warnings.add(warning);
                    }
                });
                int w = reader.getWidth(0), h = reader.getHeight(0);
                if (w <= 0 || h <= 0) {
                    throw new BadImageException("image reports dimensions " + w + "x" + h);
                }
                if ((long) w * h > maxPixels) {
                    throw new BadImageException("image is " + w + "x" + h + " = " + ((long) w * h)
                            + " pixels, above the limit of " + maxPixels + " (decompression-bomb guard)");
                }
                ImageReadParam param = reader.getDefaultReadParam();
                BufferedImage image;
                try (DecodeBudget.Lease ignored = DecodeBudget.acquire((long) w * h)) {
                    image = reader.read(0, param);
                }
                List<String> fatal = warnings.stream().filter(ImageDecoder::meansLostPixels).distinct().toList();
                if (!fatal.isEmpty()) {
                    throw new BadImageException("corrupt or truncated " + reader.getFormatName() + ": "
                            + String.join("; ", fatal));
                }
                return image;
            } finally {
                reader.dispose();
            }
        } catch (IIOException e) {
            throw new BadImageException("cannot decode: " + rootMessage(e), e);
        } catch (IOException | RuntimeException e) {
            throw new BadImageException("cannot decode: " + rootMessage(e), e);
        }
    }

    /** Width and height from the file's header only, without decoding pixels. */
    public static int[] size(InputStream stream) throws BadImageException {
        try (ImageInputStream in = ImageIO.createImageInputStream(stream)) {
            Iterator<ImageReader> readers = in == null ? null : ImageIO.getImageReaders(in);
            if (readers == null || !readers.hasNext()) {
                throw new BadImageException("not a recognised image format");
            }
            ImageReader reader = readers.next();
            try {
                reader.setInput(in, true, true);
                return new int[] {reader.getWidth(0), reader.getHeight(0)};
            } finally {
                reader.dispose();
            }
        } catch (IOException | RuntimeException e) {
            throw new BadImageException("cannot read image header: " + rootMessage(e), e);
        }
    }

    /**
     * Warnings after which part of the picture is missing or garbage (libjpeg's premature end of
     * file or data segment, bad Huffman codes). Others are harmless: an invalid embedded colour
     * profile (real COCO images have them) or extraneous bytes before a marker leave every pixel decoded.
     */
    static boolean meansLostPixels(String warning) {
        String w = warning.toLowerCase(Locale.ROOT);
        return w.contains("premature end") || w.contains("bad huffman") || w.contains("must resync")
                || w.contains("corrupt jpeg data: premature");
    }

    /**
     * Any decoded image as 8-bit RGB; grey and palette images expanded. Alpha is dropped and each
     * pixel keeps its own colour, transparent or not (what PIL's {@code convert("RGB")} gives, the
     * usual way images enter PyTorch): compositing over black would turn a transparent background
     * into a black one that no test-time image has.
     */
    public static RgbImage toRgb(BufferedImage image) {
        int w = image.getWidth(), h = image.getHeight();
        if (image.getColorModel().hasAlpha()) {
            int[] argb = image.getRGB(0, 0, w, h, null, 0, w);
            byte[] rgb = new byte[w * h * 3];
            for (int i = 0; i < argb.length; i++) {
                rgb[3 * i] = (byte) (argb[i] >> 16);
                rgb[3 * i + 1] = (byte) (argb[i] >> 8);
                rgb[3 * i + 2] = (byte) argb[i];
            }
            return new RgbImage(w, h, rgb);
        }
        BufferedImage bgr;
        if (image.getType() == BufferedImage.TYPE_3BYTE_BGR) {
            bgr = image;
        } else {
            bgr = new BufferedImage(w, h, BufferedImage.TYPE_3BYTE_BGR);
            Graphics2D g = bgr.createGraphics();
            try {
                g.drawImage(image, 0, 0, null);
            } finally {
                g.dispose();
            }
        }
        byte[] data = ((DataBufferByte) bgr.getRaster().getDataBuffer()).getData();
        byte[] rgb = new byte[w * h * 3];
        for (int i = 0; i < rgb.length; i += 3) {
            rgb[i] = data[i + 2];
            rgb[i + 1] = data[i + 1];
            rgb[i + 2] = data[i];
        }
        return new RgbImage(w, h, rgb);
    }

    private static String rootMessage(Throwable e) {
        Throwable t = e;
        while (t.getCause() != null && t.getCause() != t) {
            t = t.getCause();
        }
        String m = t.getMessage();
        return m == null ? t.getClass().getSimpleName() : m;
    }

    private static String hexPrefix(byte[] bytes) {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < Math.min(4, bytes.length); i++) {
            sb.append(String.format("%02x", bytes[i] & 0xff));
        }
        return sb.toString();
    }
}
