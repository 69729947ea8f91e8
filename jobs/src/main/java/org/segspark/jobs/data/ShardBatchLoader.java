package org.segspark.jobs.data;

import org.apache.hadoop.conf.Configuration;
import org.nd4j.common.loader.Source;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.memory.MemoryWorkspace;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.MultiDataSet;
import org.nd4j.linalg.factory.Nd4j;
import org.segspark.models.layers.NativeSpeed;
import org.segspark.core.io.SerializableConf;
import org.segspark.preprocess.job.Splits;
import org.segspark.core.shards.ShardFormat;
import org.segspark.core.shards.RowGroupCache;
import org.segspark.core.shards.ShardRow;

import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Random;

/**
 * Loads one planned minibatch (a {@link BatchPlan} reference) as a MultiDataSet, on the executor
 * that trains on it: features [n, c, h, w] normalised (c: the shards' channels, 3 or 1); for
 * segmentation one-hot labels [n, K, h', w'] (or [n, 1, h', w'] foreground for a sigmoid head) at
 * the output's size, with a label mask [n, 1, h', w'] that is 0 at ignore (255) pixels, so they
 * count in neither loss nor gradient; for classification one-hot labels [n, K].
 */
public final class ShardBatchLoader implements BatchLoader {
    private static final long serialVersionUID = 1L;

    private final Targets targets;
    private final InputNormalizer normalizer;
    private final Long shuffleSeed;
    private final SerializableConf conf;
    private final int threadsPerTask;
    private final boolean flip;
    private final int shift;
    private final long cacheBytes;

    /**
     * {@code shuffleSeed} null keeps the rows in file order (evaluation); {@code threadsPerTask}
     * above 0 sets the op threads of the JVM that trains on the batches (Spark tasks), 0 leaves them.
     */
    public ShardBatchLoader(Targets targets, InputNormalizer normalizer, Long shuffleSeed, SerializableConf conf,
                            int threadsPerTask) {
        this(targets, normalizer, shuffleSeed, conf, threadsPerTask, Augmentation.NONE, 0);
    }

    /**
     * With a shuffle seed, each example is varied as {@code augment} says (image and label map
     * alike): mirrored left-right with probability 1/2, moved by a whole number of pixels drawn
     * uniformly from [-shift, shift] on each axis, then mirrored. Both are decided by the seed and
     * the row's key, so a run is reproducible. Row groups are kept in the JVM's
     * {@link RowGroupCache} within {@code cacheBytes} (0: read from the shard files every time).
     */
    public ShardBatchLoader(Targets targets, InputNormalizer normalizer, Long shuffleSeed, SerializableConf conf,
                            int threadsPerTask, Augmentation augment, long cacheBytes) {
        this.targets = targets;
        this.normalizer = normalizer;
        this.shuffleSeed = shuffleSeed;
        this.conf = conf;
        this.threadsPerTask = threadsPerTask;
        this.flip = augment.flip() && shuffleSeed != null;
        this.shift = shuffleSeed == null ? 0 : augment.shift();
        this.cacheBytes = cacheBytes;
    }

    /** Called by DL4J on the executor, in the thread that feeds training. */
    @Override
    public MultiDataSet load(Source source) throws IOException {
        if (threadsPerTask > 0) {
            NativeSpeed.setThreads(threadsPerTask);
        }
        return load(source.getPath(), conf.get());
    }

    @Override
    public int threadsPerTask() {
        return threadsPerTask;
    }

    public InputNormalizer normalizer() {
        return normalizer;
    }

    public Targets targets() {
        return targets;
    }

    /**
     * Loads a {@link BatchPlan} batch: each slice's row group is read (in the group's seeded row
     * order when shuffling) and the slice's rows taken.
     */
    @Override
    public MultiDataSet load(String batchRef, Configuration conf) throws IOException {
        return toDataSet(select(batchRef, conf).stream().map(Picked::row).toList());
    }

    /** A row of a minibatch: its row group's reference and its index there (file order). */
    public record Picked(ShardRow row, String group, int index) {
    }

    /** The rows of a {@link BatchPlan} batch, in training order. */
    public List<Picked> select(String batchRef, Configuration conf) throws IOException {
        List<Picked> rows = new ArrayList<>();
        for (BatchPlan.Slice s : BatchPlan.parse(batchRef)) {
            String ref = s.file() + "#" + s.group();
            List<ShardRow> stored = rows(ref, conf);
            List<Integer> order = new ArrayList<>();
            for (int i = 0; i < stored.size(); i++) {
                order.add(i);
            }
            if (shuffleSeed != null) {
                Collections.shuffle(order, new Random(shuffleSeed ^ (s.file().hashCode() * 31L + s.group())));
            }
            if (s.start() + s.count() > order.size()) {
                throw new IOException(s.file() + " row group " + s.group() + " has " + order.size() + " rows, the plan wants "
                        + s.start() + ".." + (s.start() + s.count()) + " (shards changed since the manifest was written?)");
            }
            for (int i : order.subList(s.start(), s.start() + s.count())) {
                rows.add(new Picked(stored.get(i), ref, i));
            }
        }
        return rows;
    }

    /** The rows of row group {@code ref} in file order, through the JVM's row-group cache; not to be changed. */
    public List<ShardRow> rows(String ref, Configuration conf) throws IOException {
        return RowGroupCache.shared().rows(ref, conf, cacheBytes);
    }

    /** Whether training sees {@code row} mirrored this epoch. */
    public boolean mirrored(ShardRow row) {
        return flip && Splits.unit(row.key(), shuffleSeed) < 0.5;
    }

    /** Whether this loader mirrors examples at all. */
    public boolean flips() {
        return flip;
    }

    /** Where training sees {@code row} this epoch: {@code [dy, dx]}, content moved down and right. */
    public int[] offset(ShardRow row) {
        if (shift == 0) {
            return new int[] {0, 0};
        }
        // the seeds differ from the flip's, so the three draws of a row are independent
        int span = 2 * shift + 1;
        int dy = (int) (Splits.unit(row.key(), shuffleSeed * 0x9E3779B97F4A7C15L + 1) * span) - shift;
        int dx = (int) (Splits.unit(row.key(), shuffleSeed * 0x9E3779B97F4A7C15L + 2) * span) - shift;
        return new int[] {dy, dx};
    }

    /**
     * Builds the arrays outside any workspace: the loader runs inside DL4J's prefetch thread, whose
     * workspace is recycled every batch, while the batching iterator keeps the rest of a split row
     * group for the next batch; workspace memory would be overwritten under it.
     */
    public MultiDataSet toDataSet(List<ShardRow> rows) {
        try (MemoryWorkspace ignored = Nd4j.getWorkspaceManager().scopeOutOfWorkspaces()) {
            return build(rows);
        }
    }

    private MultiDataSet build(List<ShardRow> rows) {
        int n = rows.size();
        ShardRow first = rows.get(0);
        int h = first.height(), w = first.width(), plane = h * w, ch = first.channels();
        if (ch != normalizer.channels()) {
            throw new IllegalArgumentException("row " + first.key() + " has " + ch + " channels, the network takes "
                    + normalizer.channels());
        }
        int classes = targets.classes();
        boolean segmentation = first.mask() != null;
        if (segmentation != targets.segmentation()) {
            throw new IllegalArgumentException("row " + first.key() + " is a " + (segmentation ? "segmentation" : "classification")
                    + " example but the model is for " + targets.task().id());
        }
        int oh = segmentation ? targets.outputHeight() : 0, ow = segmentation ? targets.outputWidth() : 0;
        int top = segmentation ? targets.top(h) : 0, left = segmentation ? targets.left(w) : 0;
        int outPlane = oh * ow;
        int channels = targets.binary() ? 1 : classes;
        float[] x = new float[n * ch * plane];
        float[] y = new float[segmentation ? n * channels * outPlane : n * classes];
        float[] mask = segmentation ? new float[n * outPlane] : null;
        for (int i = 0; i < n; i++) {
            ShardRow r = rows.get(i);
            if (r.height() != h || r.width() != w || r.channels() != ch) {
                throw new IllegalArgumentException("row " + r.key() + " is " + r.height() + "x" + r.width() + "x"
                        + r.channels() + ", expected " + h + "x" + w + "x" + ch);
            }
            int[] offset = offset(r);
            // a black border where the image moved away; the label map's border is ignored
            normalizer.toChw(shifted(r.image(), h, w, ch, offset, (byte) 0), h, w, x, i * ch * plane);
            boolean mirrored = mirrored(r);
            if (mirrored) {
                mirror(x, i * ch * plane, ch * h, w);
            }
            if (segmentation) {
                byte[] m = shifted(r.mask(), h, w, 1, offset, (byte) ShardFormat.IGNORE_LABEL);
                for (int yy = 0; yy < oh; yy++) {
                    for (int xx = 0; xx < ow; xx++) {
                        int col = mirrored ? w - 1 - (xx + left) : xx + left;
                        int c = m[(yy + top) * w + col] & 0xff;
                        if (c == ShardFormat.IGNORE_LABEL) {
                            continue;
                        }
                        if (c >= classes) {
                            throw new IllegalArgumentException("row " + r.key() + " has class " + c + " but the model has "
                                    + classes + " classes");
                        }
                        int p = yy * ow + xx;
                        if (targets.binary()) {
                            y[i * outPlane + p] = c;
                        } else {
                            y[(i * classes + c) * outPlane + p] = 1f;
                        }
                        mask[i * outPlane + p] = 1f;
                    }
                }
            } else {
                if (r.label() < 0 || r.label() >= classes) {
                    throw new IllegalArgumentException("row " + r.key() + " has label " + r.label() + ", outside 0.."
                            + (classes - 1));
                }
                y[i * classes + r.label()] = 1f;
            }
        }
        INDArray features = array(x, n, ch, h, w);
        if (segmentation) {
            INDArray labels = array(y, n, channels, oh, ow);
            INDArray labelMask = array(mask, n, 1, oh, ow);
            return new MultiDataSet(new INDArray[] {features}, new INDArray[] {labels}, null,
                    new INDArray[] {labelMask});
        }
        return new MultiDataSet(features, array(y, n, classes));
    }

    /**
     * {@code hwc} (h x w x channels) moved by {@code offset} ([dy, dx]): pixel (y, x) of the result
     * is pixel (y - dy, x - dx) of the input, or {@code fill} where that lies outside it.
     */
    public static byte[] shifted(byte[] hwc, int h, int w, int channels, int[] offset, byte fill) {
        int dy = offset[0], dx = offset[1];
        if (dy == 0 && dx == 0) {
            return hwc;
        }
        byte[] out = new byte[hwc.length];
        if (fill != 0) {
            Arrays.fill(out, fill);
        }
        int from = Math.max(0, dx), to = Math.min(w, w + dx), run = (to - from) * channels;
        if (run <= 0) {
            return out;
        }
        for (int y = Math.max(0, dy); y < Math.min(h, h + dy); y++) {
            System.arraycopy(hwc, ((y - dy) * w + from - dx) * channels, out, (y * w + from) * channels, run);
        }
        return out;
    }

    /**
     * {@code values} as a new float array of {@code shape}, copied in bulk: ND4J's own
     * {@code create(float[], ...)} stores them one by one, 0.7 ms for a minibatch of 64x64 images.
     */
    static INDArray array(float[] values, long... shape) {
        INDArray a = Nd4j.createUninitialized(DataType.FLOAT, shape, 'c');
        a.data().asNioFloat().put(values);
        return a;
    }

    /** Reverses each of {@code rows} rows of {@code w} values starting at {@code offset}. */
    public static void mirror(float[] a, int offset, int rows, int w) {
        for (int r = 0; r < rows; r++) {
            int lo = offset + r * w, hi = lo + w - 1;
            while (lo < hi) {
                float t = a[lo];
                a[lo++] = a[hi];
                a[hi--] = t;
            }
        }
    }
}
