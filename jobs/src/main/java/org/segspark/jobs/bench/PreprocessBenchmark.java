package org.segspark.jobs.bench;

import com.typesafe.config.Config;
import org.apache.parquet.hadoop.metadata.CompressionCodecName;
import org.apache.spark.api.java.JavaSparkContext;
import org.segspark.core.config.Setting;
import org.segspark.core.config.SettingsSection;
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

    public static final Setting<String> ANNOTATIONS = Setting.optionalText("annotations",
                    "A COCO instances JSON; null: a synthetic COCO set made for the run.")
            .option("--annotations", "FILE", "COCO instances JSON (default: a synthetic set)");
    public static final Setting<String> IMAGES = Setting.optionalText("images", "The JSON's image folder.")
            .option("--images", "DIR", "Its image folder");
    public static final Setting<Integer> SYNTHETIC_IMAGES = Setting.integer("synthetic-images",
            "Images of the synthetic set.").atLeast(1);
    public static final Setting<Integer> SYNTHETIC_WIDTH = Setting.integer("synthetic-width",
            "Width of the synthetic images (COCO's typical 640x480).").atLeast(16);
    public static final Setting<Integer> SYNTHETIC_HEIGHT = Setting.integer("synthetic-height",
            "Height of the synthetic images.").atLeast(16);
    static final Setting<Integer> SIZE = Setting.integer("size", "Square tensor size of the shard rows.").atLeast(8);
    public static final Setting<Integer> REPEAT = Setting.integer("repeat",
                    "Timed runs per side (the median is reported), after one warm-up run of segspark's.").atLeast(1)
            .option("--repeat", "N", "Timed runs per side");
    public static final Setting<String> PEER_SCRIPT = Setting.text("peer-script",
            "The Python peer's script (PIL + numpy); a relative path is relative to the segspark home.");

    public static final SettingsSection SECTION = new SettingsSection("bench-preprocess", List.of(ANNOTATIONS, IMAGES,
            SYNTHETIC_IMAGES, SYNTHETIC_WIDTH, SYNTHETIC_HEIGHT, SIZE, REPEAT, BenchSettings.PYTHON, PEER_SCRIPT));

    public static Map<String, Object> run(Config b, JavaSparkContext jsc, File home, PrintStream progress) throws IOException {
        SettingsSection.Values v = SECTION.read(b);
        Path work = Files.createTempDirectory("segspark-bench-preprocess");
        String annotations, images;
        if (v.get(ANNOTATIONS) == null) {
            int n = v.get(SYNTHETIC_IMAGES);
            progress.printf("bench preprocess: making %d synthetic COCO images of %dx%d...%n", n,
                    v.get(SYNTHETIC_WIDTH), v.get(SYNTHETIC_HEIGHT));
            new SyntheticCoco(v.get(SYNTHETIC_WIDTH), v.get(SYNTHETIC_HEIGHT), 11).write(work.resolve("coco"), n);
            annotations = work.resolve("coco").resolve(SyntheticCoco.ANNOTATIONS).toString();
            images = work.resolve("coco").resolve(SyntheticCoco.IMAGES).toString();
        } else {
            annotations = v.get(ANNOTATIONS);
            images = v.get(IMAGES);
        }
        int size = v.get(SIZE), repeat = v.get(REPEAT);
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
        File script = new File(v.get(PEER_SCRIPT));
        if (!script.isAbsolute()) {
            script = new File(home, v.get(PEER_SCRIPT));
        }
        PythonPeer.Output o = PythonPeer.run(v.get(BenchSettings.PYTHON), script, List.of(annotations, images, "--size", "" + size,
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
