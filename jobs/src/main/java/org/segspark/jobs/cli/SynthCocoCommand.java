package org.segspark.jobs.cli;

import org.segspark.jobs.config.JobConfig;
import org.segspark.preprocess.coco.SyntheticCoco;
import org.apache.hadoop.conf.Configuration;
import org.segspark.core.io.OutputFolder;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.nio.file.Path;
import java.util.concurrent.Callable;

@Command(name = "synth-coco", mixinStandardHelpOptions = true,
        description = "Write a synthetic data set in COCO instances format: JPEG images of people, cars and dogs "
                + "(polygons, crowds as RLE, overlaps) on textured backgrounds. The same seed gives the same bytes.")
public final class SynthCocoCommand implements Callable<Integer> {
    @Mixin
    CommonOptions common;

    @Option(names = "--out", paramLabel = "DIR", description = "Output folder (images/, annotations/instances.json)")
    String out;

    @Option(names = "--images", paramLabel = "N", description = "Number of images (default in conf/synth-coco.conf)")
    Integer images;

    @Option(names = "--size", paramLabel = "WxH", description = "Image width x height, e.g. 160x120")
    String size;

    @Option(names = "--seed", paramLabel = "S", description = "Random seed")
    Long seed;

    /** A synthetic data set's folder (older ones are known by their annotations). */
    static final OutputFolder.Kind KIND = new OutputFolder.Kind("synth-coco", SyntheticCoco.ANNOTATIONS);

    @Override
    public Integer call() throws Exception {
        int[] wh = Sizes.parse(size, "--size");
        var c = JobConfig.of("synth-coco").file(common.config).set(common.set)
                .option("synth-coco.out", out).option("synth-coco.images", images)
                .option("synth-coco.width", wh == null ? null : wh[0]).option("synth-coco.height", wh == null ? null : wh[1])
                .option("synth-coco.seed", seed).load().section("synth-coco", "out");
        Path dir = Path.of(c.getString("out"));
        OutputFolder.claim(dir.toString(), new Configuration(), KIND, c.getBoolean("force") || common.force, "--out");
        long t = System.nanoTime();
        new SyntheticCoco(c.getInt("width"), c.getInt("height"), c.getLong("seed")).write(dir, c.getInt("images"));
        System.out.printf("synth-coco: %d images of %dx%d in %s (%.1f s); annotations %s%n", c.getInt("images"),
                c.getInt("width"), c.getInt("height"), dir, (System.nanoTime() - t) / 1e9,
                dir.resolve(SyntheticCoco.ANNOTATIONS));
        return 0;
    }
}
