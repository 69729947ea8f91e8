package org.segspark.preprocess.frame;

import org.apache.hadoop.fs.Path;
import org.segspark.core.shards.ShardRow;
import org.segspark.preprocess.image.BadImageException;
import org.segspark.preprocess.image.ImageDecoder;
import org.segspark.preprocess.image.Resize;
import org.segspark.preprocess.job.ExampleMaker;
import org.segspark.preprocess.job.MaskInput;
import org.segspark.preprocess.job.Outcome;
import org.segspark.preprocess.job.Splits;
import org.segspark.preprocess.pairs.MaskMapping;
import org.segspark.preprocess.pairs.PairedExampleMaker;

import java.util.List;

/**
 * On an executor: a DataFrame's example to a shard row, as the folder sources make theirs: the
 * image fitted to the tensor, a mask's values taken as class indices (255 = ignore), a label
 * checked against the classes; the split from a seeded hash of the key.
 */
public final class FrameExampleMaker implements ExampleMaker<FrameExample> {
    private static final long serialVersionUID = 1L;
    private final boolean segmentation;
    private final int classes;
    private final int height;
    private final int width;
    private final Resize.Aspect aspect;
    private final long maxPixels;
    private final boolean dctScaling;
    private final double valFraction;
    private final long splitSeed;

    public FrameExampleMaker(boolean segmentation, int classes, int height, int width, Resize.Aspect aspect,
                             long maxPixels, boolean dctScaling, double valFraction, long splitSeed) {
        this.segmentation = segmentation;
        this.classes = classes;
        this.height = height;
        this.width = width;
        this.aspect = aspect;
        this.maxPixels = maxPixels;
        this.dctScaling = dctScaling;
        this.valFraction = valFraction;
        this.splitSeed = splitSeed;
    }

    @Override
    public List<Outcome> make(FrameExample e) {
        return List.of(makeOne(e));
    }

    @Override
    public String key(FrameExample e) {
        return e.key();
    }

    /** The row's content is the fingerprint: nothing is read from files. */
    @Override
    public List<Path> files(FrameExample e) {
        return List.of();
    }

    private Outcome makeOne(FrameExample e) {
        String name = e.key();
        if (e.image() == null) {
            return Outcome.rejected(name, "decode", "the image cell is null");
        }
        ImageDecoder.Decoded image;
        try {
            image = e.image().decodeFor(maxPixels, width, height, aspect, dctScaling);
        } catch (BadImageException x) {
            return Outcome.rejected(name, "decode", x.getMessage());
        }
        String split = Splits.assign(name, valFraction, splitSeed);
        if (segmentation) {
            if (e.mask() == null) {
                return Outcome.rejected(name, "mask", "the mask cell is null");
            }
            MaskInput mi = MaskInput.decode(name, "mask", e.mask(), maxPixels, image.width(), image.height());
            if (mi.reject() != null) {
                return mi.reject();
            }
            return PairedExampleMaker.segmentationRow(name, name, name, split, image, mi.mask(), "of " + name,
                    MaskMapping.identity(classes), height, width, aspect);
        }
        if (e.label() == null) {
            return Outcome.rejected(name, "label", "the label cell is null");
        }
        double label = e.label();
        if (label != Math.rint(label) || label < 0 || label >= classes) {
            return Outcome.rejected(name, "label", "label " + label + " is not a class index 0.." + (classes - 1) + " ("
                    + classes + " classes)");
        }
        Resize.Placement p = Resize.Placement.of(image.width(), image.height(), width, height, aspect);
        return Outcome.written(ShardRow.classification(name, name, split, height, width,
                image.resized(width, height, aspect).pixels(), (int) label), new int[] {p.x(), p.y(), p.width(), p.height()});
    }
}
