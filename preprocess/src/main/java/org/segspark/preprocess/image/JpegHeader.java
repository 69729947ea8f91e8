package org.segspark.preprocess.image;

/**
 * The frame header of a JPEG file (size, components, coding process) and whether the file ends
 * with its end-of-image marker, read from the bytes without decoding anything.
 *
 * @param sof       the start-of-frame marker's low byte: 0xC0 baseline, 0xC1 extended, 0xC2 progressive, ...
 * @param complete  an end-of-image marker (FF D9) lies within the last KiB: a file cut short lacks it
 */
public record JpegHeader(int width, int height, int components, int sof, boolean complete) {

    /** The header, or null when the bytes are not a JPEG with a readable frame header. */
    public static JpegHeader parse(byte[] b) {
        if (b.length < 4 || (b[0] & 0xff) != 0xFF || (b[1] & 0xff) != 0xD8) {
            return null;
        }
        int i = 2;
        while (i + 4 <= b.length) {
            if ((b[i] & 0xff) != 0xFF) {
                return null;
            }
            int marker = b[i + 1] & 0xff;
            if (marker == 0xFF) {            // fill byte
                i++;
                continue;
            }
            if (marker == 0x01 || (marker >= 0xD0 && marker <= 0xD7)) {
                i += 2;
                continue;
            }
            int len = (b[i + 2] & 0xff) << 8 | (b[i + 3] & 0xff);
            if (len < 2) {
                return null;
            }
            boolean frame = marker >= 0xC0 && marker <= 0xCF && marker != 0xC4 && marker != 0xC8 && marker != 0xCC;
            if (frame) {
                if (i + 10 > b.length) {
                    return null;
                }
                int h = (b[i + 5] & 0xff) << 8 | (b[i + 6] & 0xff);
                int w = (b[i + 7] & 0xff) << 8 | (b[i + 8] & 0xff);
                int comps = b[i + 9] & 0xff;
                return new JpegHeader(w, h, comps, marker, endsWithEoi(b));
            }
            if (marker == 0xDA || marker == 0xD9) {   // scan data or end before any frame header
                return null;
            }
            i += 2 + len;
        }
        return null;
    }

    /**
     * Whether every marker of the file is where a decoder expects one: segments with their
     * lengths, entropy-coded data in which 0xFF is followed only by a stuffed zero or a restart
     * marker in sequence, and after each scan only tables, another scan or the end of the image.
     * Bytes damaged mid-stream almost always break this; libjpeg then fills the rest with grey.
     */
    public static boolean markersIntact(byte[] b) {
        if (b.length < 4 || (b[0] & 0xff) != 0xFF || (b[1] & 0xff) != 0xD8) {
            return false;
        }
        int i = 2;
        boolean frame = false;
        while (i + 1 < b.length) {
            if ((b[i] & 0xff) != 0xFF) {
                return false;
            }
            int marker = b[i + 1] & 0xff;
            if (marker == 0xFF) {
                i++;
                continue;
            }
            if (marker == 0xD9) {
                return frame;
            }
            boolean sof = marker >= 0xC0 && marker <= 0xCF && marker != 0xC4 && marker != 0xC8 && marker != 0xCC;
            boolean table = marker == 0xC4 || marker == 0xCC || marker == 0xDB || marker == 0xDD || marker == 0xDC
                    || (marker >= 0xE0 && marker <= 0xEF) || marker == 0xFE;
            if (!(sof || table || marker == 0xDA) || (sof && frame) || (marker == 0xDA && !frame) || i + 4 > b.length) {
                return false;
            }
            frame |= sof;
            int len = (b[i + 2] & 0xff) << 8 | (b[i + 3] & 0xff);
            if (len < 2 || i + 2 + len > b.length) {
                return false;
            }
            i += 2 + len;
            if (marker == 0xDA) {
                int rst = 0;
                while (true) {
                    if (i + 1 >= b.length) {
                        return false;
                    }
                    if ((b[i] & 0xff) != 0xFF) {
                        i++;
                        continue;
                    }
                    int next = b[i + 1] & 0xff;
                    if (next == 0x00 || next == 0xFF) {
                        i += next == 0x00 ? 2 : 1;
                    } else if (next >= 0xD0 && next <= 0xD7) {
                        if (next - 0xD0 != rst) {
                            return false;
                        }
                        rst = (rst + 1) & 7;
                        i += 2;
                    } else {
                        break;   // the scan's end: the loop above checks what follows
                    }
                }
            }
        }
        return false;
    }

    private static boolean endsWithEoi(byte[] b) {
        for (int i = b.length - 2; i >= Math.max(2, b.length - 1024); i--) {
            if ((b[i] & 0xff) == 0xFF && (b[i + 1] & 0xff) == 0xD9) {
                return true;
            }
        }
        return false;
    }
}
