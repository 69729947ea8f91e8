package org.segspark.jobs.eval;

import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.broadcast.Broadcast;
import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.MultiDataSet;
import org.nd4j.linalg.factory.Nd4j;
import org.segspark.core.io.SerializableConf;
import org.segspark.core.shards.ShardFormat;
import org.segspark.core.shards.ShardRow;
import org.segspark.core.shards.ShardSet;
import org.segspark.jobs.data.ShardBatchLoader;
import org.segspark.jobs.data.Targets;
import org.segspark.models.layers.NativeSpeed;

import java.io.IOException;
import java.io.Serializable;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Set;

/**
 * Validation of a network over shard row groups: a confusion matrix (pixels for segmentation,
 * images for classification), the mean loss, and a few predictions for the report. On Spark each
 * task rebuilds the network from the broadcast configuration and parameters and evaluates its
 * share of row groups; only the matrices and the samples come back to the driver.
 */
public final class Evaluation {
    private Evaluation() {
    }

    /** One validation image with its ground truth and prediction (label maps, or a single label). */
    public record Sample(String key, int height, int width, byte[] image, byte[] truth, byte[] predicted)
            implements Serializable {
    }

    /** What one evaluation found. */
    public record Result(ConfusionMatrix confusion, double lossSum, long examples, List<Sample> samples)
            implements Serializable {
        /** Mean cross-entropy per pixel (segmentation) or per image (classification): see {@link Targets#lossPositions()}. */
        public double meanLoss() {
            return examples == 0 ? Double.NaN : lossSum / examples;
        }

        Result merge(Result o) {
            List<Sample> s = new ArrayList<>(samples);
            s.addAll(o.samples);
            return new Result(confusion.merge(o.confusion), lossSum + o.lossSum, examples + o.examples, s);
        }

        /** The first {@code n} samples by key: the same ones however the row groups were spread over tasks. */
        Result keepSamples(int n) {
            List<Sample> s = samples.stream().sorted(Comparator.comparing(Sample::key)).limit(n).toList();
            return new Result(confusion, lossSum, examples, s);
        }
    }

    /** The row groups predictions are kept from: the first {@code samples} (a row group may hold a single example). */
    static Set<String> sampleRefs(List<String> refs, int samples) {
        return new HashSet<>(refs.subList(0, Math.min(samples, refs.size())));
    }

    /** What a task needs to rebuild the network. */
    public record Model(String configJson, INDArray params) implements Serializable {
        public static Model of(ComputationGraph net) {
            return new Model(net.getConfiguration().toJson(), net.params().dup());
        }

        public ComputationGraph build() {
            NativeSpeed.enable();
            ComputationGraph net = new ComputationGraph(ComputationGraphConfiguration.fromJson(configJson));
            net.init(params, false);
            return net;
        }
    }

    public static Result onSpark(JavaSparkContext jsc, ComputationGraph net, List<String> refs, ShardBatchLoader loader,
                                 int batch, int samples, SerializableConf conf) {
        int classes = loader.targets().classes();
        if (refs.isEmpty()) {
            return new Result(new ConfusionMatrix(classes), 0, 0, List.of());
        }
        Broadcast<Model> model = jsc.broadcast(Model.of(net));
        Set<String> sampleRefs = sampleRefs(refs, samples);
        try {
            int partitions = Math.min(refs.size(), jsc.defaultParallelism());
            return jsc.parallelize(refs, partitions)
                    .mapPartitions((Iterator<String> it) -> {
                        if (loader.threadsPerTask() > 0) {
                            NativeSpeed.setThreads(loader.threadsPerTask());
                        }
                        return List.of(partition(model.value().build(), it, loader, batch, sampleRefs, samples,
                                conf)).iterator();
                    })
                    .reduce(Result::merge).keepSamples(samples);
        } finally {
            model.destroy();
        }
    }

    public static Result inProcess(ComputationGraph net, List<String> refs, ShardBatchLoader loader, int batch,
                                   int samples, SerializableConf conf) throws IOException {
        if (refs.isEmpty()) {
            return new Result(new ConfusionMatrix(loader.targets().classes()), 0, 0, List.of());
        }
        return partition(net, refs.iterator(), loader, batch, sampleRefs(refs, samples), samples, conf).keepSamples(samples);
    }

    static Result partition(ComputationGraph net, Iterator<String> refs, ShardBatchLoader loader, int batch,
                            Set<String> sampleRefs, int samples, SerializableConf conf) throws IOException {
        Targets targets = loader.targets();
        ConfusionMatrix cm = new ConfusionMatrix(targets.classes());
        double lossSum = 0;
        long examples = 0;
        List<Sample> kept = new ArrayList<>();
        while (refs.hasNext()) {
            String ref = refs.next();
            List<ShardRow> rows = loader.rows(ref, conf.get());
            for (int from = 0; from < rows.size(); from += batch) {
                List<ShardRow> chunk = rows.subList(from, Math.min(rows.size(), from + batch));
                MultiDataSet mds = loader.toDataSet(chunk);
                INDArray out = net.output(false, mds.getFeatures(0))[0];
                int[] predicted = predictions(out, targets);
                lossSum += net.score(mds, false) * chunk.size() / targets.lossPositions();
                examples += chunk.size();
                boolean keep = sampleRefs.contains(ref);
                for (int i = 0; i < chunk.size(); i++) {
                    ShardRow r = chunk.get(i);
                    byte[] pred;
                    if (r.mask() != null) {
                        pred = scoreMap(r, predicted, i, targets, cm);
                    } else {
                        pred = new byte[] {(byte) predicted[i]};
                        cm.add(r.label(), predicted[i]);
                    }
                    if (keep && kept.size() < samples) {
                        byte[] truth = r.mask() != null ? r.mask() : new byte[] {(byte) r.label()};
                        kept.add(new Sample(r.key(), r.height(), r.width(), r.rgb(), truth, pred));
                    }
                }
            }
        }
        return new Result(cm, lossSum, examples, kept);
    }

    /** Predicted classes, flattened per example: argmax over classes, or the sigmoid at 0.5 for a binary head. */
    public static int[] predictions(INDArray out, Targets targets) {
        if (targets.binary()) {
            return out.gt(0.5).castTo(DataType.INT).ravel().toIntVector();
        }
        return Nd4j.argMax(out, 1).castTo(DataType.INT).ravel().toIntVector();
    }

    /**
     * Adds one example's pixels to the matrix and returns its prediction as a full-size label map
     * (255, ignored, outside a smaller output's centred window).
     */
    static byte[] scoreMap(ShardRow r, int[] predicted, int i, Targets targets, ConfusionMatrix cm) {
        int h = r.height(), w = r.width(), oh = targets.outputHeight(), ow = targets.outputWidth();
        int top = targets.top(h), left = targets.left(w), per = oh * ow;
        byte[] m = r.mask();
        byte[] pred = new byte[h * w];
        if (oh != h || ow != w) {
            Arrays.fill(pred, (byte) ShardFormat.IGNORE_LABEL);
        }
        for (int y = 0; y < oh; y++) {
            for (int x = 0; x < ow; x++) {
                int q = predicted[i * per + y * ow + x];
                int at = (y + top) * w + x + left;
                pred[at] = (byte) q;
                int t = m[at] & 0xff;
                if (t != ShardFormat.IGNORE_LABEL) {
                    cm.add(t, q);
                }
            }
        }
        return pred;
    }
}
