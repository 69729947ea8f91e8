package org.segspark.preprocess.cifar;

import org.apache.hadoop.fs.Path;

import org.segspark.preprocess.image.Resize;
import org.segspark.preprocess.image.RgbImage;
import org.segspark.core.io.SerializableConf;
import org.segspark.preprocess.job.ExampleMaker;
import org.segspark.preprocess.job.Outcome;
import org.segspark.core.shards.ShardRow;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/** On an executor: the records of one chunk of a CIFAR-10 batch file as classification rows. */
public final class Cifar10ExampleMaker implements ExampleMaker<Cifar10Binary.Chunk> {
    private static final long serialVersionUID = 1L;
    private final int height;
    private final int width;
    private final int classes;
    private final SerializableConf conf;

    public Cifar10ExampleMaker(int height, int width, int classes, SerializableConf conf) {
        this.height = height;
        this.width = width;
        this.classes = classes;
        this.conf = conf;
    }

    @Override
    public String key(Cifar10Binary.Chunk c) {
        return c.file().substring(c.file().lastIndexOf('/') + 1) + "#" + c.first();
    }

    @Override
    public List<Path> files(Cifar10Binary.Chunk c) {
        return List.of(new Path(c.file()));
    }

    @Override
    public List<Outcome> make(Cifar10Binary.Chunk c) {
        String name = c.file().substring(c.file().lastIndexOf('/') + 1);
        if (c.records() == 0) {
            return List.of(Outcome.rejected(c.file() + "#" + c.first(), "read", "truncated record: " + c.tailBytes()
                    + " bytes at the end of " + name + ", a record has " + Cifar10Binary.RECORD));
        }
        byte[] bytes;
        try {
            bytes = Cifar10Binary.read(c, conf.get());
        } catch (IOException e) {
            return Outcome.unreadable(c.file(), c.first(), c.records(), e);
        }
        List<Outcome> out = new ArrayList<>(c.records());
        for (int i = 0; i < c.records(); i++) {
            long index = c.first() + i;
            String key = name + "#" + index;
            int label = Cifar10Binary.label(bytes, i);
            if (label >= classes) {
                out.add(Outcome.rejected(c.file() + "#" + index, "decode", "label " + label + " outside 0.." + (classes - 1)));
                continue;
            }
            RgbImage img = Cifar10Binary.image(bytes, i);
            if (height != Cifar10Binary.SIDE || width != Cifar10Binary.SIDE) {
                img = Resize.rgb(img, width, height, Resize.Aspect.STRETCH);
            }
            out.add(Outcome.written(ShardRow.classification(key, c.file() + "#" + index, c.split(), height, width,
                    img.pixels(), label), new int[] {0, 0, width, height}));
        }
        return out;
    }
}
