package org.segspark.preprocess.coco;

import java.io.Serializable;
import java.util.Arrays;
import java.util.List;

/**
 * A binary mask in COCO's run-length encoding: alternating runs of 0s and 1s (starting with 0s)
 * over the pixels in column-major order (index = x * height + y).
 *
 * <p>Every operation reproduces pycocotools' {@code maskApi.c} bit for bit, including its
 * quirks (polygons are rasterised on a 5x up-sampled boundary; unions are merged run by run;
 * uncompressed counts are taken as given), so that label maps match what COCO users get from
 * {@code COCO.annToMask}.
 */
public final class Rle implements Serializable {
    private static final long serialVersionUID = 1L;
    private static final double POLYGON_SCALE = 5;

    private final int height;
    private final int width;
    private final long[] counts;

    private Rle(int height, int width, long[] counts) {
        this.height = height;
        this.width = width;
        this.counts = counts;
    }

    public int height() {
        return height;
    }

    public int width() {
        return width;
    }

    /** The runs, a copy. */
    public long[] counts() {
        return counts.clone();
    }

    /** Uncompressed RLE as stored in COCO JSON ({@code {"size": [h, w], "counts": [...]}}), taken as given. */
    public static Rle fromCounts(long[] counts, int height, int width) {
        for (long c : counts) {
            if (c < 0 || c > 0xFFFFFFFFL) {
                throw new IllegalArgumentException("RLE count " + c + " is not an unsigned 32-bit integer");
            }
        }
        return new Rle(height, width, counts.clone());
    }

    /** Rasterises one polygon [x0, y0, x1, y1, ...] exactly as maskApi.c's rleFrPoly. */
    public static Rle fromPolygon(double[] xy, int height, int width) {
        int k = xy.length / 2;
        int[] x = new int[k + 1];
        int[] y = new int[k + 1];
        for (int j = 0; j < k; j++) {
            x[j] = (int) (POLYGON_SCALE * xy[j * 2] + .5);
            y[j] = (int) (POLYGON_SCALE * xy[j * 2 + 1] + .5);
        }
        if (k == 0) {
            return new Rle(height, width, new long[] {(long) height * width});
        }
        x[k] = x[0];
        y[k] = y[0];
        // Dense points along the up-sampled boundary.
        int m = 0;
        for (int j = 0; j < k; j++) {
            m += Math.max(Math.abs(x[j] - x[j + 1]), Math.abs(y[j] - y[j + 1])) + 1;
        }
        int[] u = new int[m];
        int[] v = new int[m];
        m = 0;
        for (int j = 0; j < k; j++) {
            int xs = x[j], xe = x[j + 1], ys = y[j], ye = y[j + 1];
            int dx = Math.abs(xe - xs), dy = Math.abs(ys - ye);
            boolean flip = (dx >= dy && xs > xe) || (dx < dy && ys > ye);
            if (flip) {
                int t = xs;
                xs = xe;
                xe = t;
                t = ys;
                ys = ye;
                ye = t;
            }
            double s = dx >= dy ? (double) (ye - ys) / dx : (double) (xe - xs) / dy;
            if (dx >= dy) {
                for (int d = 0; d <= dx; d++) {
                    int t = flip ? dx - d : d;
                    u[m] = t + xs;
                    v[m] = (int) (ys + s * t + .5);
                    m++;
                }
            } else {
                for (int d = 0; d <= dy; d++) {
                    int t = flip ? dy - d : d;
                    v[m] = t + ys;
                    u[m] = (int) (xs + s * t + .5);
                    m++;
                }
            }
        }
        // Points where the boundary crosses a pixel column centre, down-sampled.
        int n = m;
        long[] starts = new long[n + 1];
        int found = 0;
        for (int j = 1; j < n; j++) {
            if (u[j] == u[j - 1]) {
                continue;
            }
            double xd = u[j] < u[j - 1] ? u[j] : u[j] - 1;
            xd = (xd + .5) / POLYGON_SCALE - .5;
            if (Math.floor(xd) != xd || xd < 0 || xd > width - 1) {
                continue;
            }
            double yd = Math.min(v[j], v[j - 1]);
            yd = (yd + .5) / POLYGON_SCALE - .5;
            if (yd < 0) {
                yd = 0;
            } else if (yd > height) {
                yd = height;
            }
            yd = Math.ceil(yd);
            starts[found++] = ((long) (int) xd * height + (int) yd) & 0xFFFFFFFFL;
        }
        starts[found++] = ((long) height * width) & 0xFFFFFFFFL;
        long[] a = Arrays.copyOf(starts, found);
        Arrays.sort(a);
        long p = 0;
        for (int j = 0; j < a.length; j++) {
            long t = a[j];
            a[j] -= p;
            p = t;
        }
        long[] b = new long[a.length];
        int j = 0;
        int out = 0;
        b[out++] = a[j++];
        while (j < a.length) {
            if (a[j] > 0) {
                b[out++] = a[j++];
            } else {
                j++;
                if (j < a.length) {
                    b[out - 1] += a[j++];
                }
            }
        }
        return new Rle(height, width, Arrays.copyOf(b, out));
    }

    /** maskApi.c's rleFrBbox: a box [x, y, w, h] rasterised as a four-point polygon. */
    public static Rle fromBox(double[] box, int height, int width) {
        double xs = box[0], xe = xs + box[2], ys = box[1], ye = ys + box[3];
        return fromPolygon(new double[] {xs, ys, xs, ye, xe, ye, xe, ys}, height, width);
    }

    /** Union of masks of one size, merged as maskApi.c's rleMerge (intersect = 0). */
    public static Rle union(List<Rle> parts) {
        if (parts.isEmpty()) {
            return new Rle(0, 0, new long[0]);
        }
        Rle first = parts.get(0);
        if (parts.size() == 1) {
            return first;
        }
        int h = first.height, w = first.width;
        long[] cnts = first.counts.clone();
        int m = cnts.length;
        for (int i = 1; i < parts.size(); i++) {
            Rle b = parts.get(i);
            if (b.height != h || b.width != w) {
                throw new IllegalArgumentException("cannot merge masks of sizes " + h + "x" + w
                        + " and " + b.height + "x" + b.width);
            }
            long[] acnts = Arrays.copyOf(cnts, m);
            long[] merged = new long[acnts.length + b.counts.length + 1];
            long ca = acnts.length > 0 ? acnts[0] : 0;
            long cb = b.counts.length > 0 ? b.counts[0] : 0;
            boolean v = false, va = false, vb = false;
            int outM = 0, ai = 1, bi = 1;
            long cc = 0, ct = 1;
            while (ct > 0) {
                long c = Math.min(ca, cb);
                cc += c;
                ct = 0;
                ca -= c;
                if (ca == 0 && ai < acnts.length) {
                    ca = acnts[ai++];
                    va = !va;
                }
                ct += ca;
                cb -= c;
                if (cb == 0 && bi < b.counts.length) {
                    cb = b.counts[bi++];
                    vb = !vb;
                }
                ct += cb;
                boolean vp = v;
                v = va || vb;
                if (v != vp || ct == 0) {
                    merged[outM++] = cc;
                    cc = 0;
                }
            }
            cnts = merged;
            m = outM;
        }
        return new Rle(h, w, Arrays.copyOf(cnts, m));
    }

    /** Decodes COCO's compressed counts string (maskApi.c rleFrString). */
    public static Rle fromString(String s, int height, int width) {
        long[] cnts = new long[s.length()];
        int m = 0;
        int p = 0;
        while (p < s.length()) {
            long x = 0;
            int k = 0;
            boolean more = true;
            while (more) {
                if (p >= s.length()) {
                    throw new IllegalArgumentException("compressed RLE string ends inside a count");
                }
                int c = s.charAt(p) - 48;
                if (c < 0 || c > 63) {
                    throw new IllegalArgumentException("compressed RLE string has invalid character '"
                            + s.charAt(p) + "' at " + p);
                }
                x |= (long) (c & 0x1f) << (5 * k);
                more = (c & 0x20) != 0;
                p++;
                k++;
                if (!more && (c & 0x10) != 0) {
                    x |= -1L << (5 * k);
                }
            }
            if (m > 2) {
                x += cnts[m - 2];
            }
            cnts[m++] = x & 0xFFFFFFFFL;
        }
        return new Rle(height, width, Arrays.copyOf(cnts, m));
    }

    /** Encodes to COCO's compressed counts string (maskApi.c rleToString). */
    public String toCompressedString() {
        StringBuilder s = new StringBuilder(counts.length * 2);
        for (int i = 0; i < counts.length; i++) {
            long x = counts[i];
            if (i > 2) {
                x -= counts[i - 2];
            }
            boolean more = true;
            while (more) {
                int c = (int) (x & 0x1f);
                x >>= 5;
                more = (c & 0x10) != 0 ? x != -1 : x != 0;
                if (more) {
                    c |= 0x20;
                }
                s.append((char) (c + 48));
            }
        }
        return s.toString();
    }

    /** Number of foreground pixels (maskApi.c rleArea). */
    public long area() {
        long a = 0;
        for (int j = 1; j < counts.length; j += 2) {
            a += counts[j];
        }
        return a;
    }

    /** Bounding box [x, y, w, h] of the foreground (maskApi.c rleToBbox). */
    public double[] bbox() {
        int m = (counts.length / 2) * 2;
        if (m == 0) {
            return new double[4];
        }
        long h = height;
        long xs = width, ys = height, xe = 0, ye = 0, cc = 0, xp = 0;
        for (int j = 0; j < m; j++) {
            cc += counts[j];
            long t = cc - j % 2;
            long y = t % h;
            long x = (t - y) / h;
            if (j % 2 == 0) {
                xp = x;
            } else if (xp < x) {
                ys = 0;
                ye = h - 1;
            }
            xs = Math.min(xs, x);
            xe = Math.max(xe, x);
            ys = Math.min(ys, y);
            ye = Math.max(ye, y);
        }
        return new double[] {xs, ys, xe - xs + 1, ye - ys + 1};
    }

    /**
     * Calls {@code painter} once per foreground run segment within each column, in row-major
     * pixel terms: (y, x) start and the number of consecutive rows. Avoids materialising the mask.
     */
    public void forEachForegroundRun(RunConsumer painter) {
        long pos = 0;
        boolean on = false;
        long total = (long) height * width;
        for (long c : counts) {
            if (on && c > 0) {
                long start = Math.min(pos, total);
                long end = Math.min(pos + c, total);
                while (start < end) {
                    int x = (int) (start / height);
                    int y = (int) (start % height);
                    int len = (int) Math.min(end - start, height - y);
                    painter.run(x, y, len);
                    start += len;
                }
            }
            pos += c;
            on = !on;
        }
    }

    /** Row-major mask, 1 for foreground. */
    public byte[] toRowMajorMask() {
        byte[] mask = new byte[height * width];
        forEachForegroundRun((x, y, len) -> {
            for (int i = 0; i < len; i++) {
                mask[(y + i) * width + x] = 1;
            }
        });
        return mask;
    }

    /** Sum of all runs; a well-formed mask covers exactly height x width pixels. */
    public long pixelCount() {
        long s = 0;
        for (long c : counts) {
            s += c;
        }
        return s;
    }

    /** Receives a vertical run of foreground pixels: column x, rows y .. y + length - 1. */
    @FunctionalInterface
    public interface RunConsumer {
        void run(int x, int y, int length);
    }
}
