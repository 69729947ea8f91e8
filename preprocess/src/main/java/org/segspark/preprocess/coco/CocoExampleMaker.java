package org.segspark.preprocess.coco;

import java.util.List;

import org.apache.hadoop.fs.Path;
import org.segspark.preprocess.image.Resize;
import org.segspark.preprocess.image.RgbImage;
import org.segspark.core.io.HadoopFiles;
import org.segspark.preprocess.io.ImagePaths;
import org.segspark.core.io.SerializableConf;
import org.segspark.preprocess.job.ExampleMaker;
import org.segspark.preprocess.job.ImageInput;
import org.segspark.preprocess.job.Outcome;
import org.segspark.preprocess.job.Splits;
import org.segspark.core.shards.ShardFormat;
import org.segspark.core.shards.ShardRow;


/** On an executor: reads one COCO image, paints its label map, resizes both and makes a shard row. */
public final class CocoExampleMaker implements ExampleMaker<CocoImageRecord> {
    private static final long serialVersionUID = 1L;

    private final String imageRoot;
    private final LabelMapping mapping;
    private final int height;
    private final int width;
    private final Resize.Aspect aspect;
    private final double valFraction;
    private final long splitSeed;
    private final long maxPixels;
    private final boolean dctScaling;
    private final SerializableConf conf;

    public CocoExampleMaker(String imageRoot, LabelMapping mapping, int height, int width, Resize.Aspect aspect,
                            double valFraction, long splitSeed, long maxPixels, boolean dctScaling,
                            SerializableConf conf) {
        this.imageRoot = imageRoot;
        this.mapping = mapping;
        this.height = height;
        this.width = width;
        this.aspect = aspect;
        this.valFraction = valFraction;
        this.splitSeed = splitSeed;
        this.maxPixels = maxPixels;
        this.dctScaling = dctScaling;
        this.conf = conf;
    }

    @Override
    public List<Outcome> make(CocoImageRecord record) {
        return List.of(makeOne(record));
    }

    @Override
    public String key(CocoImageRecord record) {
        return record.key();
    }

    @Override
    public List<Path> files(CocoImageRecord record) {
        try {
            return List.of(imagePath(record));
        } catch (IllegalArgumentException e) {
            return List.of();
        }
    }

    /** The image file, refusing names that escape the image root (IllegalArgumentException). */
    private Path imagePath(CocoImageRecord record) {
        return ImagePaths.resolve(HadoopFiles.path(imageRoot), record.image().fileName());
    }

    Outcome makeOne(CocoImageRecord record) {
        CocoImage image = record.image();
        String name = image.fileName();
        if (record.problem() != null) {
            return Outcome.rejected(name, "annotations", record.problem());
        }
        Path path;
        try {
            path = imagePath(record);
        } catch (IllegalArgumentException e) {
            return Outcome.rejected(name, "path", e.getMessage());
        }
        ImageInput in = ImageInput.read(name, path, maxPixels, conf.get(), aspect, width, height, dctScaling);
        if (in.reject() != null) {
            return in.reject();
        }
        if (in.width() != image.width() || in.height() != image.height()) {
            return Outcome.rejected(name, "decode", "image is " + in.width() + "x" + in.height()
                    + " but the annotations say " + image.width() + "x" + image.height());
        }
        byte[] labels;
        try {
            labels = LabelMapBuilder.build(image, record.annotations(), mapping);
        } catch (RuntimeException e) {
            return Outcome.rejected(name, "rasterise", e.getMessage());
        }
        RgbImage small = in.decoded().resized(width, height, aspect);
        byte[] mask = Resize.labels(labels, image.width(), image.height(), width, height, aspect,
                (byte) ShardFormat.IGNORE_LABEL);
        Resize.Placement p = Resize.Placement.of(image.width(), image.height(), width, height, aspect);
        String split = Splits.assign(name, valFraction, splitSeed);
        return Outcome.written(ShardRow.segmentation(name, path.toString(), split, height, width, small.pixels(), mask),
                new int[] {p.x(), p.y(), p.width(), p.height()});
    }
}
