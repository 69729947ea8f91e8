package org.segspark.preprocess.coco;

import com.fasterxml.jackson.databind.JsonNode;
import org.apache.spark.api.java.JavaSparkContext;
import org.segspark.preprocess.io.InputTree;
import org.segspark.core.io.SerializableConf;
import org.segspark.preprocess.job.ShardJob;
import org.segspark.core.shards.ShardManifest;

import java.io.IOException;

/** {@code segspark preprocess coco}: COCO instances + images to segmentation shards. */
public final class CocoShardJob {
    private CocoShardJob() {
    }

    public static ShardJob.Result run(JavaSparkContext jsc, CocoShardConfig cfg, JsonNode effectiveConfig)
            throws IOException {
        CocoSource source = CocoSource.read(cfg.annotations(), cfg.mapping(), jsc.hadoopConfiguration());
        InputTree.requireFolder(cfg.images(), jsc.hadoopConfiguration(), "--images");
        CocoExampleMaker maker = new CocoExampleMaker(cfg.images(), source.mapping(), cfg.shards().height(),
                cfg.shards().width(), cfg.aspect(), cfg.valFraction(), cfg.splitSeed(), cfg.maxPixels(),
                cfg.shards().jpegDctScaling(), new SerializableConf(jsc.hadoopConfiguration()));
        ShardJob.Spec spec = new ShardJob.Spec(cfg.shards(), ShardManifest.SEGMENTATION,
                source.mapping().classNames(), source.describe(cfg.images()), effectiveConfig);
        return ShardJob.run(jsc, CocoImageRecord.of(source.instances()), maker, spec, source.orphanRejects());
    }
}
