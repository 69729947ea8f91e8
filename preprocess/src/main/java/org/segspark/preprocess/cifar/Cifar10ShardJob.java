package org.segspark.preprocess.cifar;

import com.fasterxml.jackson.databind.JsonNode;
import org.apache.spark.api.java.JavaSparkContext;
import org.segspark.core.io.SerializableConf;
import org.segspark.preprocess.job.ShardJob;
import org.segspark.preprocess.job.ShardJobOptions;
import org.segspark.core.shards.ShardManifest;

import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** {@code segspark preprocess cifar10}: the official binary batches to classification shards (test_batch is val). */
public final class Cifar10ShardJob {
    private Cifar10ShardJob() {
    }

    public static ShardJob.Result run(JavaSparkContext jsc, String input, ShardJobOptions options, JsonNode config)
            throws IOException {
        List<Cifar10Binary.Chunk> chunks = Cifar10Binary.plan(input, jsc.hadoopConfiguration());
        List<String> classes = Cifar10Binary.classes(input, jsc.hadoopConfiguration());
        Map<String, Object> source = new LinkedHashMap<>();
        source.put("kind", "cifar10-binary");
        source.put("input", input);
        source.put("files", chunks.stream().map(Cifar10Binary.Chunk::file).distinct().toList());
        Cifar10ExampleMaker maker = new Cifar10ExampleMaker(options.height(), options.width(), classes.size(),
                new SerializableConf(jsc.hadoopConfiguration()));
        return ShardJob.run(jsc, chunks, maker,
                new ShardJob.Spec(options, ShardManifest.CLASSIFICATION, classes, source, config), List.of());
    }
}
