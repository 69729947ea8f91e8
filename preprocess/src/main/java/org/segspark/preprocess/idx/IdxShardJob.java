package org.segspark.preprocess.idx;

import com.fasterxml.jackson.databind.JsonNode;
import org.apache.hadoop.conf.Configuration;
import org.apache.spark.api.java.JavaSparkContext;
import org.segspark.core.io.SerializableConf;
import org.segspark.core.shards.ShardManifest;
import org.segspark.preprocess.job.ShardJob;
import org.segspark.preprocess.job.ShardJobOptions;

import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** {@code segspark preprocess idx}: an MNIST-family IDX pair (and optionally its test pair, as val) to classification shards. */
public final class IdxShardJob {
    private IdxShardJob() {
    }

    /** testImages and testLabels are both null or both set. */
    public static ShardJob.Result run(JavaSparkContext jsc, String images, String labels, String testImages,
                                      String testLabels, IdxDataset dataset, int channels, ShardJobOptions options,
                                      JsonNode config)
            throws IOException {
        Configuration conf = jsc.hadoopConfiguration();
        List<IdxPairs.Chunk> chunks = new ArrayList<>(IdxPairs.plan(images, labels, "train", conf));
        if (testImages != null) {
            chunks.addAll(IdxPairs.plan(testImages, testLabels, "val", conf));
        }
        Map<String, Object> source = new LinkedHashMap<>();
        source.put("kind", "idx");
        source.put("dataset", dataset.id());
        source.put("files", chunks.stream().flatMap(c -> List.of(c.images().path(), c.labels().path()).stream())
                .distinct().toList());
        IdxExampleMaker maker = new IdxExampleMaker(options.height(), options.width(), channels,
                dataset.classes().size(), new SerializableConf(conf));
        return ShardJob.run(jsc, chunks, maker,
                new ShardJob.Spec(options, ShardManifest.CLASSIFICATION, dataset.classes(), source, config, channels), List.of());
    }
}
