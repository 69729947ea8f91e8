package org.segspark.preprocess.pairs;

import org.apache.hadoop.fs.Path;
import org.segspark.preprocess.image.ImageDecoder;
import org.segspark.preprocess.image.MaskImage;
import org.segspark.preprocess.image.Resize;
import org.segspark.preprocess.image.RgbImage;
import org.segspark.core.io.HadoopFiles;
import org.segspark.core.io.SerializableConf;
import org.segspark.preprocess.job.ExampleMaker;
import org.segspark.preprocess.job.ImageInput;
import org.segspark.preprocess.job.MaskInput;
import org.segspark.preprocess.job.Outcome;
import org.segspark.core.shards.ShardRow;

import java.util.List;
import java.util.TreeSet;

/** On an executor: an image and its mask to a segmentation row, mask values mapped to classes. */
public final class PairedExampleMaker implements ExampleMaker<PairedFolders.Item> {
    private static final long serialVersionUID = 1L;
    private final String imagesRoot;
    private final String masksRoot;
    private final MaskMapping mapping;
    private final int height;
    private final int width;
    private final Resize.Aspect aspect;
    private final long maxPixels;
    private final boolean dctScaling;
    private final SerializableConf conf;

    public PairedExampleMaker(String imagesRoot, String masksRoot, MaskMapping mapping, int height, int width,
                              Resize.Aspect aspect, long maxPixels, boolean dctScaling, SerializableConf conf) {
        this.imagesRoot = imagesRoot;
        this.masksRoot = masksRoot;
        this.mapping = mapping;
        this.height = height;
        this.width = width;
        this.aspect = aspect;
        this.maxPixels = maxPixels;
        this.dctScaling = dctScaling;
        this.conf = conf;
    }

    @Override
    public List<Outcome> make(PairedFolders.Item item) {
        return List.of(makeOne(item));
    }

    @Override
    public String key(PairedFolders.Item item) {
        return item.image();
    }

    @Override
    public List<Path> files(PairedFolders.Item item) {
        return List.of(imagePath(item), maskPath(item));
    }

    private Path imagePath(PairedFolders.Item item) {
        return new Path(HadoopFiles.path(imagesRoot), item.image());
    }

    private Path maskPath(PairedFolders.Item item) {
        return new Path(HadoopFiles.path(masksRoot), item.mask());
    }

    private Outcome makeOne(PairedFolders.Item item) {
        String name = "images/" + item.image();
        Path ip = imagePath(item);
        Path mp = maskPath(item);
        ImageInput in = ImageInput.read(name, ip, maxPixels, conf.get(), aspect, width, height, dctScaling);
        if (in.reject() != null) {
            return in.reject();
        }
        MaskInput mi = MaskInput.read(name, "masks/" + item.mask(), mp, maxPixels, conf.get(), in.width(), in.height());
        if (mi.reject() != null) {
            return mi.reject();
        }
        return segmentationRow(name, item.image(), ip.toString(), item.split(), in.decoded(), mi.mask(), item.mask(),
                mapping, height, width, aspect);
    }

    /**
     * A decoded image and its mask (already checked to be the image's size) to a segmentation row,
     * mask values mapped to classes; a value the mapping lacks makes the example a reject.
     */
    public static Outcome segmentationRow(String name, String key, String source, String split,
                                          ImageDecoder.Decoded image, MaskImage m, String maskName,
                                          MaskMapping mapping, int height, int width, Resize.Aspect aspect) {
        byte[] labels = new byte[m.values().length];
        TreeSet<Integer> unmapped = new TreeSet<>();
        for (int i = 0; i < labels.length; i++) {
            int c = mapping.map(m.values()[i]);
            if (c == MaskMapping.UNMAPPED) {
                unmapped.add(m.values()[i] & 0xff);
            }
            labels[i] = (byte) c;
        }
        if (!unmapped.isEmpty()) {
            return Outcome.rejected(name, "mask", "mask " + maskName + " has value" + (unmapped.size() > 1 ? "s " : " ")
                    + unmapped + " missing from the mapping (" + mapping + ")");
        }
        RgbImage small = image.resized(width, height, aspect);
        byte[] out = Resize.labels(labels, m.width(), m.height(), width, height, aspect, (byte) 255);
        Resize.Placement p = Resize.Placement.of(image.width(), image.height(), width, height, aspect);
        return Outcome.written(ShardRow.segmentation(key, source, split, height, width, small.pixels(), out),
                new int[] {p.x(), p.y(), p.width(), p.height()});
    }
}
