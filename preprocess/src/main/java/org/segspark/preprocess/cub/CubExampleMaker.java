package org.segspark.preprocess.cub;

import org.apache.hadoop.fs.Path;
import org.segspark.preprocess.image.MaskImage;
import org.segspark.preprocess.image.Resize;
import org.segspark.preprocess.image.RgbImage;
import org.segspark.core.io.HadoopFiles;
import org.segspark.preprocess.io.ImagePaths;
import org.segspark.core.io.SerializableConf;
import org.segspark.preprocess.job.ExampleMaker;
import org.segspark.preprocess.job.ImageInput;
import org.segspark.preprocess.job.MaskInput;
import org.segspark.preprocess.job.Outcome;
import org.segspark.core.shards.ShardRow;

import java.util.List;

/**
 * On an executor: one CUB image (and for segmentation its mask from {@code segmentations/}, same
 * class folder and stem, .png) to a shard row, optionally cropped to its bounding box first.
 */
public final class CubExampleMaker implements ExampleMaker<CubDataset.Item> {
    private static final long serialVersionUID = 1L;
    private final String imagesRoot;
    private final String masksRoot;
    private final CubShardConfig cfg;
    private final SerializableConf conf;

    /** {@code masksRoot} null: classification (no masks read). */
    public CubExampleMaker(String imagesRoot, String masksRoot, CubShardConfig cfg, SerializableConf conf) {
        this.imagesRoot = imagesRoot;
        this.masksRoot = masksRoot;
        this.cfg = cfg;
        this.conf = conf;
    }

    @Override
    public List<Outcome> make(CubDataset.Item item) {
        return List.of(makeOne(item));
    }

    @Override
    public String key(CubDataset.Item item) {
        return item.relative();
    }

    @Override
    public List<Path> files(CubDataset.Item item) {
        try {
            Path image = imageFile(item);
            return masksRoot == null ? List.of(image) : List.of(image, maskFile(item));
        } catch (IllegalArgumentException e) {
            return List.of();
        }
    }

    private Path imageFile(CubDataset.Item item) {
        return ImagePaths.resolve(HadoopFiles.path(imagesRoot), item.relative());
    }

    private Path maskFile(CubDataset.Item item) {
        return ImagePaths.resolve(HadoopFiles.path(masksRoot), maskPath(item.relative()));
    }

    static String maskPath(String relative) {
        int dot = relative.lastIndexOf('.');
        return (dot < 0 ? relative : relative.substring(0, dot)) + ".png";
    }

    private Outcome makeOne(CubDataset.Item item) {
        String name = "images/" + item.relative();
        Path path;
        try {
            path = imageFile(item);
        } catch (IllegalArgumentException e) {
            return Outcome.rejected(name, "list", e.getMessage());
        }
        // cropping needs the full grid; without it the image may be decoded at a reduced DCT scale
        ImageInput in = cfg.cropToBox() ? ImageInput.read(name, path, cfg.maxPixels(), conf.get())
                : ImageInput.read(name, path, cfg.maxPixels(), conf.get(), cfg.aspect(), cfg.width(), cfg.height(),
                cfg.shards().jpegDctScaling());
        if (in.reject() != null) {
            return in.reject();
        }
        RgbImage rgb = in.image();
        byte[] mask = null;
        if (masksRoot != null) {
            Path mp = maskFile(item);
            MaskInput mi = MaskInput.read(name, mp.getName(), mp, cfg.maxPixels(), conf.get(), in.width(), in.height());
            if (mi.reject() != null) {
                return mi.reject();
            }
            MaskImage m = mi.mask();
            mask = new byte[m.values().length];
            for (int i = 0; i < mask.length; i++) {
                mask[i] = (byte) ((m.values()[i] & 0xff) >= cfg.maskThreshold() ? 1 : 0);
            }
        }
        int x0 = 0, y0 = 0, w = in.width(), h = in.height();
        if (cfg.cropToBox()) {
            if (item.box() == null) {
                return Outcome.rejected(name, "crop", "no line in bounding_boxes.txt for image id " + item.id());
            }
            float[] b = item.box();
            x0 = Math.max(0, (int) Math.floor(b[0]));
            y0 = Math.max(0, (int) Math.floor(b[1]));
            int x1 = Math.min(rgb.width(), (int) Math.ceil(b[0] + b[2]));
            int y1 = Math.min(rgb.height(), (int) Math.ceil(b[1] + b[3]));
            if (x1 <= x0 || y1 <= y0) {
                return Outcome.rejected(name, "crop", "bounding box " + b[0] + "," + b[1] + "," + b[2] + "," + b[3]
                        + " lies outside the " + rgb.width() + "x" + rgb.height() + " image");
            }
            w = x1 - x0;
            h = y1 - y0;
            if (mask != null) {
                mask = crop(mask, rgb.width(), x0, y0, w, h);
            }
            rgb = crop(rgb, x0, y0, w, h);
        }
        Resize.Placement p = Resize.Placement.of(w, h, cfg.width(), cfg.height(), cfg.aspect());
        RgbImage small = Resize.rgb(rgb, cfg.width(), cfg.height(), p);
        int[] region = {p.x(), p.y(), p.width(), p.height()};
        if (mask == null) {
            return Outcome.written(ShardRow.classification(item.relative(), path.toString(), item.split(), cfg.height(),
                    cfg.width(), small.pixels(), item.label()), region);
        }
        byte[] labels = Resize.labels(mask, w, h, cfg.width(), cfg.height(), cfg.aspect(), (byte) 255);
        return Outcome.written(ShardRow.segmentation(item.relative(), path.toString(), item.split(), cfg.height(),
                cfg.width(), small.pixels(), labels), region);
    }

    static RgbImage crop(RgbImage src, int x0, int y0, int w, int h) {
        byte[] out = new byte[w * h * 3];
        for (int y = 0; y < h; y++) {
            System.arraycopy(src.pixels(), ((y + y0) * src.width() + x0) * 3, out, y * w * 3, w * 3);
        }
        return new RgbImage(w, h, out);
    }

    static byte[] crop(byte[] src, int srcWidth, int x0, int y0, int w, int h) {
        byte[] out = new byte[w * h];
        for (int y = 0; y < h; y++) {
            System.arraycopy(src, (y + y0) * srcWidth + x0, out, y * w, w);
        }
        return out;
    }
}
