package org.segspark.jobs.features;

import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.Path;
import org.nd4j.common.loader.Source;
import org.nd4j.linalg.api.memory.MemoryWorkspace;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.MultiDataSet;
import org.nd4j.linalg.factory.Nd4j;
import org.segspark.core.io.SerializableConf;
import org.segspark.jobs.data.BatchLoader;
import org.segspark.jobs.data.ShardBatchLoader;
import org.segspark.models.layers.NativeSpeed;

import java.io.IOException;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * A planned minibatch for a decoder trained alone: the same rows, order and flips as
 * {@link ShardBatchLoader} gives the whole network, with the encoder's cached outputs in place of
 * the images (one input per cached tensor) and the shards' labels and label masks.
 */
public final class FeatureBatchLoader implements BatchLoader {
    private static final long serialVersionUID = 1L;

    private final ShardBatchLoader shards;
    private final String root;
    private final FeatureCache.Manifest manifest;
    private final SerializableConf conf;

    public FeatureBatchLoader(ShardBatchLoader shards, FeatureCache.Prepared cache, SerializableConf conf) {
        if (shards.flips() && cache.manifest().orientations() != 2) {
            throw new IllegalArgumentException("feature cache " + cache.root() + " holds no mirrored examples, training flips");
        }
        this.shards = shards;
        this.root = cache.root();
        this.manifest = cache.manifest();
        this.conf = conf;
    }

    @Override
    public MultiDataSet load(Source source) throws IOException {
        if (shards.threadsPerTask() > 0) {
            NativeSpeed.setThreads(shards.threadsPerTask());
        }
        return load(source.getPath(), conf.get());
    }

    @Override
    public int threadsPerTask() {
        return shards.threadsPerTask();
    }

    @Override
    public MultiDataSet load(String batchRef, Configuration hconf) throws IOException {
        List<ShardBatchLoader.Picked> picked = shards.select(batchRef, hconf);
        MultiDataSet labelled = shards.toDataSet(picked.stream().map(ShardBatchLoader.Picked::row).toList());
        List<FeatureCache.Tensor> tensors = manifest.tensors();
        int n = picked.size();
        float[][] data = new float[tensors.size()][];
        for (int t = 0; t < data.length; t++) {
            data[t] = new float[Math.toIntExact(n * tensors.get(t).elements())];
        }
        Map<String, FeatureFile.Reader> readers = new HashMap<>();
        try {
            for (int i = 0; i < n; i++) {
                ShardBatchLoader.Picked p = picked.get(i);
                String file = manifest.files().get(p.group());
                if (file == null) {
                    throw new IOException("feature cache " + root + " has no features for row group " + p.group());
                }
                FeatureFile.Reader r = readers.get(file);
                if (r == null) {
                    r = new FeatureFile.Reader(new Path(new Path(root, "data"), file), hconf);
                    readers.put(file, r);
                }
                boolean mirrored = shards.mirrored(p.row());
                FeatureFile.Example e = r.read(p.index() * manifest.orientations() + (mirrored ? 1 : 0));
                if (!e.key().equals(p.row().key()) || e.mirrored() != mirrored) {
                    throw new IOException("feature cache " + root + " file " + file + " holds " + e.key() + " where the "
                            + "shards have " + p.row().key() + " (the shards changed since the cache was written)");
                }
                for (int t = 0; t < data.length; t++) {
                    float[] v = e.tensors().get(t);
                    System.arraycopy(v, 0, data[t], i * v.length, v.length);
                }
            }
        } finally {
            for (FeatureFile.Reader r : readers.values()) {
                r.close();
            }
        }
        INDArray[] features = new INDArray[data.length];
        // outside workspaces, as ShardBatchLoader builds its arrays (DL4J's prefetch thread recycles its own)
        try (MemoryWorkspace ignored = Nd4j.getWorkspaceManager().scopeOutOfWorkspaces()) {
            for (int t = 0; t < data.length; t++) {
                long[] s = tensors.get(t).shape();
                long[] shape = new long[s.length + 1];
                shape[0] = n;
                System.arraycopy(s, 0, shape, 1, s.length);
                features[t] = Nd4j.create(data[t], shape, 'c');
            }
        }
        return new MultiDataSet(features, labelled.getLabels(), null, labelled.getLabelsMaskArrays());
    }
}
