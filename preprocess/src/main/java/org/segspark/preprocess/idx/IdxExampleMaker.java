package org.segspark.preprocess.idx;

import org.apache.hadoop.fs.Path;
import org.segspark.core.io.SerializableConf;
import org.segspark.core.shards.ShardRow;
import org.segspark.preprocess.image.Resize;
import org.segspark.preprocess.image.RgbImage;
import org.segspark.preprocess.job.ExampleMaker;
import org.segspark.preprocess.job.Outcome;

import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * On an executor: one chunk of an IDX pair as classification rows. The grey images go into the
 * shards as one channel or as three equal ones (--channels), resized (antialiased bilinear) when
 * --size differs from the files' own.
 */
public final class IdxExampleMaker implements ExampleMaker<IdxPairs.Chunk> {
    private static final long serialVersionUID = 1L;
    private final int height;
    private final int width;
    private final int channels;
    private final int classes;
    private final SerializableConf conf;

    public IdxExampleMaker(int height, int width, int channels, int classes, SerializableConf conf) {
        this.height = height;
        this.width = width;
        this.channels = channels;
        this.classes = classes;
        this.conf = conf;
    }

    private static String name(String file) {
        return file.substring(file.lastIndexOf('/') + 1);
    }

    @Override
    public String key(IdxPairs.Chunk c) {
        return name(c.images().path()) + "#" + c.first();
    }

    @Override
    public List<Path> files(IdxPairs.Chunk c) {
        return List.of(new Path(c.images().path()), new Path(c.labels().path()));
    }

    @Override
    public List<Outcome> make(IdxPairs.Chunk c) {
        byte[] images;
        byte[] labels;
        try {
            images = c.images().read(c.first(), c.records(), conf.get());
            labels = c.labels().read(c.first(), c.records(), conf.get());
        } catch (IOException e) {
            return Outcome.unreadable(c.images().path(), c.first(), c.records(), e);
        }
        int rows = c.images().rows(), cols = c.images().cols(), plane = rows * cols;
        String name = name(c.images().path());
        List<Outcome> out = new ArrayList<>(c.records());
        for (int i = 0; i < c.records(); i++) {
            long index = c.first() + i;
            int label = labels[i] & 0xff;
            if (label >= classes) {
                out.add(Outcome.rejected(c.labels().path() + "#" + index, "decode",
                        "label " + label + " outside 0.." + (classes - 1)));
                continue;
            }
            byte[] grey = Arrays.copyOfRange(images, i * plane, (i + 1) * plane);
            byte[] pixels;
            if (height == rows && width == cols) {
                pixels = channels == 1 ? grey : ShardRow.greyToRgb(grey);
            } else {
                // the resize filter works on RGB; a grey image's three channels stay equal through it
                byte[] rgb = Resize.rgb(new RgbImage(cols, rows, ShardRow.greyToRgb(grey)), width, height,
                        Resize.Aspect.STRETCH).pixels();
                pixels = channels == 3 ? rgb : firstChannel(rgb);
            }
            out.add(Outcome.written(new ShardRow(name + "#" + index, c.images().path() + "#" + index, c.split(),
                    height, width, channels, pixels, null, label), new int[] {0, 0, width, height}));
        }
        return out;
    }

    /** The grey values of an image whose three channels are equal. */
    private static byte[] firstChannel(byte[] rgb) {
        byte[] grey = new byte[rgb.length / 3];
        for (int p = 0; p < grey.length; p++) {
            grey[p] = rgb[p * 3];
        }
        return grey;
    }
}
