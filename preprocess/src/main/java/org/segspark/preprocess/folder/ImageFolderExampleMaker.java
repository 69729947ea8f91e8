package org.segspark.preprocess.folder;

import org.apache.hadoop.fs.Path;
import org.segspark.preprocess.image.Resize;
import org.segspark.preprocess.image.RgbImage;
import org.segspark.core.io.HadoopFiles;
import org.segspark.core.io.SerializableConf;
import org.segspark.preprocess.job.ExampleMaker;
import org.segspark.preprocess.job.ImageInput;
import org.segspark.preprocess.job.Outcome;
import org.segspark.core.shards.ShardRow;

import java.util.List;

/** On an executor: decodes one image of an ImageFolder tree and resizes it to a classification row. */
public final class ImageFolderExampleMaker implements ExampleMaker<ImageFolder.Item> {
    private static final long serialVersionUID = 1L;
    private final String root;
    private final int height;
    private final int width;
    private final Resize.Aspect aspect;
    private final long maxPixels;
    private final boolean dctScaling;
    private final SerializableConf conf;

    public ImageFolderExampleMaker(String root, int height, int width, Resize.Aspect aspect, long maxPixels,
                                   boolean dctScaling, SerializableConf conf) {
        this.root = root;
        this.height = height;
        this.width = width;
        this.aspect = aspect;
        this.maxPixels = maxPixels;
        this.dctScaling = dctScaling;
        this.conf = conf;
    }

    @Override
    public List<Outcome> make(ImageFolder.Item item) {
        return List.of(makeOne(item));
    }

    @Override
    public String key(ImageFolder.Item item) {
        return item.relative();
    }

    @Override
    public List<Path> files(ImageFolder.Item item) {
        return List.of(path(item));
    }

    private Path path(ImageFolder.Item item) {
        return new Path(HadoopFiles.path(root), item.relative());
    }

    private Outcome makeOne(ImageFolder.Item item) {
        String name = item.relative();
        Path path = path(item);
        ImageInput in = ImageInput.read(name, path, maxPixels, conf.get(), aspect, width, height, dctScaling);
        if (in.reject() != null) {
            return in.reject();
        }
        RgbImage small = in.decoded().resized(width, height, aspect);
        Resize.Placement p = Resize.Placement.of(in.width(), in.height(), width, height, aspect);
        return Outcome.written(ShardRow.classification(name, path.toString(), item.split(), height, width,
                small.pixels(), item.label()), new int[] {p.x(), p.y(), p.width(), p.height()});
    }
}
