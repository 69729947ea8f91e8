package org.segspark.jobs.predict;


import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.Path;
import org.segspark.jobs.report.Html;
import org.segspark.jobs.report.Overlays;
import org.segspark.jobs.data.Targets;
import org.segspark.models.layers.NativeSpeed;
import org.segspark.preprocess.image.BadImageException;
import org.segspark.preprocess.image.ImageDecoder;
import org.segspark.preprocess.image.LabelPng;
import org.segspark.preprocess.image.Resize;
import org.segspark.preprocess.image.RgbImage;
import org.segspark.core.io.HadoopFiles;
import org.segspark.preprocess.io.ImagePaths;
import org.segspark.preprocess.io.Reject;
import org.segspark.core.io.SerializableConf;
import org.segspark.preprocess.job.ImageInput;
import org.segspark.jobs.run.ModelInput;

import java.io.IOException;
import java.io.Serializable;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;

/**
 * The executor side of {@link PredictJob}: reads a partition's images in batches, runs the network
 * and writes each image's label map (and overlay) at the image's own size.
 *
 * <p>A label map is predicted at the tensor size and mapped back by nearest neighbour through the
 * placement training used (stretch: the whole tensor; pad: the centred content without its
 * padding). Pixels a smaller-than-input output (valid-padding U-Net) does not cover are 255.
 */
final class ImagePredictor implements Serializable {
    private static final long serialVersionUID = 1L;

    private final ModelInput input;
    private final Targets targets;
    private final String images;
    private final String out;
    private final int batch;
    private final boolean overlays;
    private final long maxPixels;
    private final SerializableConf conf;
    private final int threadsPerTask;

    ImagePredictor(ModelInput input, Targets targets, String images, String out, int batch, boolean overlays,
                   long maxPixels, SerializableConf conf, int threadsPerTask) {
        this.input = input;
        this.targets = targets;
        this.images = images;
        this.out = out;
        this.batch = batch;
        this.overlays = overlays;
        this.maxPixels = maxPixels;
        this.conf = conf;
        this.threadsPerTask = threadsPerTask;
    }

    /** One image's result: written (label, probability or class pixel counts) or rejected. */
    record Outcome(String file, int width, int height, int label, double probability, long[] classPixels,
                   Reject reject) implements Serializable {
        static Outcome rejected(Reject r) {
            return new Outcome(r.path(), 0, 0, -1, Double.NaN, null, r);
        }
    }

    /** An image read for the network: its tensor-size pixels, decoded as training's were, and its own size. */
    private record Loaded(String file, Path path, RgbImage tensor, int width, int height, RgbImage full) {
    }

    /** The label map's (and overlay's) name: the image's relative path with .png for its extension. */
    static String pngName(String file) {
        return file.substring(0, file.lastIndexOf('.')) + ".png";
    }

    List<Outcome> run(BatchModel net, Iterator<String> files) throws IOException {
        if (threadsPerTask > 0) {
            NativeSpeed.setThreads(threadsPerTask);
        }
        Configuration c = conf.get();
        List<Outcome> outcomes = new ArrayList<>();
        List<Loaded> pending = new ArrayList<>();
        while (files.hasNext()) {
            String file = files.next();
            Path path = ImagePaths.resolve(HadoopFiles.path(images), file);
            ImageInput in = ImageInput.read(file, path, maxPixels, c, input.aspect(), input.width(), input.height(),
                    input.dctScaling());
            if (in.reject() != null) {
                outcomes.add(Outcome.rejected(in.reject().reject()));
                continue;
            }
            boolean reduced = in.image().width() != in.width();
            pending.add(new Loaded(file, path, in.decoded().resized(input.width(), input.height(), input.aspect()),
                    in.width(), in.height(), reduced ? null : in.image()));
            if (pending.size() == batch) {
                predict(net, pending, outcomes, c);
                pending.clear();
            }
        }
        if (!pending.isEmpty()) {
            predict(net, pending, outcomes, c);
        }
        return outcomes;
    }

    private void predict(BatchModel net, List<Loaded> batchImages, List<Outcome> outcomes, Configuration c) {
        List<TensorBatch.Fitted> fitted = new ArrayList<>(batchImages.size());
        batchImages.forEach(img -> fitted.add(new TensorBatch.Fitted(img.tensor(), img.width(), img.height())));
        List<TensorBatch.Result> results = TensorBatch.predict(net, input, targets, fitted);
        for (int i = 0; i < results.size(); i++) {
            Loaded img = batchImages.get(i);
            TensorBatch.Result r = results.get(i);
            if (input.segmentation()) {
                outcomes.add(write(img, r, c));
            } else {
                int best = r.best();
                outcomes.add(new Outcome(img.file(), img.width(), img.height(), best, r.probabilities()[best], null, null));
            }
        }
    }

    /** The tensor-grid labels at the image's own size: the placement's content, nearest neighbour. */
    static byte[] toImageSize(byte[] tensorLabels, int tensorW, int tensorH, int imageW, int imageH, Resize.Aspect aspect) {
        Resize.Placement p = Resize.Placement.of(imageW, imageH, tensorW, tensorH, aspect);
        byte[] content = new byte[p.width() * p.height()];
        for (int y = 0; y < p.height(); y++) {
            System.arraycopy(tensorLabels, (y + p.y()) * tensorW + p.x(), content, y * p.width(), p.width());
        }
        return Resize.labels(content, p.width(), p.height(), imageW, imageH, Resize.Aspect.STRETCH, (byte) 0);
    }

    private Outcome write(Loaded img, TensorBatch.Result r, Configuration c) {
        int width = img.width(), height = img.height();
        byte[] labels = r.labelMap();
        String name = pngName(img.file());
        Path labelsFile = ImagePaths.resolve(new Path(out, PredictJob.LABELS), name);
        try {
            HadoopFiles.writeAtomically(labelsFile, c, LabelPng.encode(labels, width, height));
            if (overlays) {
                // the tensor came from a reduced JPEG decode: the overlay needs every pixel
                RgbImage full = img.full() != null ? img.full()
                        : new ImageDecoder(maxPixels).decode(HadoopFiles.readAll(img.path(), c));
                HadoopFiles.writeAtomically(ImagePaths.resolve(new Path(out, PredictJob.OVERLAYS), name), c,
                        Html.png(Overlays.withLegend(Overlays.overlay(full.pixels(), labels, width, height), labels,
                                input.classes())));
            }
        } catch (IOException | BadImageException e) {
            return Outcome.rejected(new Reject(img.file(), "write", "cannot write " + labelsFile + ": " + e.getMessage()));
        }
        return new Outcome(img.file(), width, height, -1, Double.NaN, r.classPixels(), null);
    }
}
