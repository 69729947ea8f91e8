package org.segspark.jobs.bench;

import com.typesafe.config.Config;
import org.apache.parquet.hadoop.metadata.CompressionCodecName;
import org.apache.spark.api.java.JavaSparkContext;
import org.segspark.models.bench.SingleProcessBenchmark;
import org.segspark.preprocess.coco.CocoShardConfig;
import org.segspark.preprocess.coco.CocoShardJob;
import org.segspark.preprocess.coco.SyntheticCoco;
import org.segspark.preprocess.image.Resize;
import org.segspark.preprocess.job.ShardJob;
import org.segspark.preprocess.job.ShardJobOptions;

import java.io.File;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * {@code segspark bench preprocess}: the COCO shard job on Spark local[1] (the whole product path:
 * decode, rasterise, resize, statistics, Parquet, manifest) against the Python peer on one core,
 * on the same files, in one run.
 */
public final class PreprocessBenchmark {
    private PreprocessBenchmark() {
    }

    public static Map<String, Object> run(Config b, JavaSparkContext jsc, File home, PrintStream progress) throws IOException {
        Path work = Files.createTempDirectory("segspark-bench-preprocess");
        String annotations, images;
        if (b.getIsNull("annotations")) {
            int n = b.getInt("synthetic-images");
            progress.printf("bench preprocess: making %d synthetic COCO images of %dx%d...%n", n,
                    b.getInt("synthetic-width"), b.getInt("synthetic-height"));
            new SyntheticCoco(b.getInt("synthetic-width"), b.getInt("synthetic-height"), 11).write(work.resolve("coco"), n);
            annotations = work.resolve("coco").resolve(SyntheticCoco.ANNOTATIONS).toString();
            images = work.resolve("coco").resolve(SyntheticCoco.IMAGES).toString();
        } else {
            annotations = b.getString("annotations");
            images = b.getString("images");
        }
        int size = b.getInt("size"), repeat = b.getInt("repeat");
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("date", Instant.now().toString());
        out.put("machine", Machine.describe());
        out.put("annotations", annotations);
        out.put("size", size);
        out.put("spark_master", jsc.master());
        // Both JPEG paths, alternating run by run so machine noise falls on both alike.
        Map<Boolean, List<Double>> seconds = new LinkedHashMap<>();
        seconds.put(true, new ArrayList<>());
        seconds.put(false, new ArrayList<>());
        long inputs = 0;
        for (int i = 0; i <= repeat; i++) {
            for (boolean dct : List.of(true, false)) {
                CocoShardConfig cfg = new CocoShardConfig(annotations, images, "categories", 0.2, 0, Resize.Aspect.STRETCH,
                        100_000_000L, new ShardJobOptions(work.resolve("shards-" + i + "-" + dct).toString(), size, size,
                        16, 2048, CompressionCodecName.ZSTD, false, dct, false, false));
                long t = System.nanoTime();
                ShardJob.Result r = CocoShardJob.run(jsc, cfg, null);
                double s = (System.nanoTime() - t) / 1e9;
                inputs = r.accounting().inputs();
                progress.printf("bench preprocess: segspark run %d (%s): %d inputs in %.2f s%s%n", i,
                        dct ? "JPEG DCT scaling" : "full JPEG decode", inputs, s, i == 0 ? " (warm-up)" : "");
                if (i > 0) {
                    seconds.get(dct).add(s);
                }
            }
        }
        int cores = Integer.parseInt(jsc.master().replaceAll("[^0-9]", "").isEmpty() ? "1" : jsc.master().replaceAll("[^0-9]", ""));
        out.put("images", inputs);
        out.put("segspark_seconds", seconds.get(true));
        out.put("segspark_images_per_s_per_core", inputs / SingleProcessBenchmark.median(seconds.get(true)) / cores);
        out.put("segspark_full_decode_seconds", seconds.get(false));
        out.put("segspark_full_decode_images_per_s_per_core",
                inputs / SingleProcessBenchmark.median(seconds.get(false)) / cores);
        File script = new File(b.getString("peer-script"));
        if (!script.isAbsolute()) {
            script = new File(home, b.getString("peer-script"));
        }
        PythonPeer.Output o = PythonPeer.run(b.getString("python"), script, List.of(annotations, images, "--size", "" + size,
                "--repeat", "" + repeat), Map.of("OMP_NUM_THREADS", "1", "OPENBLAS_NUM_THREADS", "1"));
        if (o.failure() != null) {
            out.put("peer_skipped", o.failure());
            return out;
        }
        double peer = o.json().get("images_per_s_one_core").asDouble();
        out.put("peer_images_per_s_one_core", peer);
        out.put("ratio_vs_peer", (double) out.get("segspark_images_per_s_per_core") / peer);
        out.put("full_decode_ratio_vs_peer", (double) out.get("segspark_full_decode_images_per_s_per_core") / peer);
        return out;
    }
}
