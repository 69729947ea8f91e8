package org.segspark.jobs.preprocess;

import com.typesafe.config.Config;
import org.apache.hadoop.conf.Configuration;
import org.segspark.core.config.Setting;
import org.segspark.core.config.SettingsSection;
import org.segspark.core.io.OutputFolder;
import org.segspark.jobs.config.JobConfig;
import org.segspark.preprocess.coco.SyntheticCoco;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;

/** {@code segspark synth-coco}: a synthetic data set in COCO instances format (also the demos' data). */
public final class SynthCocoJob {
    private SynthCocoJob() {
    }

    /** A synthetic data set's folder (older ones are known by their annotations). */
    public static final OutputFolder.Kind KIND = new OutputFolder.Kind("synth-coco", SyntheticCoco.ANNOTATIONS);

    public static final Setting<String> OUT = Setting.requiredText("out",
                    "Output folder (local): images/*.jpg and annotations/instances.json.")
            .option("--out", "DIR", "Output folder (images/, annotations/instances.json)");
    public static final Setting<Boolean> FORCE = OutputFolder.FORCE;
    public static final Setting<Integer> IMAGES = Setting.integer("images", "Number of images.").atLeast(1)
            .option("--image-count", "N", "Images to write").formerly("--images");
    public static final Setting<Integer> WIDTH = Setting.integer("width", "Image width in pixels (--size WxH sets both).")
            .atLeast(16);
    public static final Setting<Integer> HEIGHT = Setting.integer("height", "Image height in pixels.").atLeast(16);
    public static final Setting<Long> SEED = Setting.longInteger("seed", "Random seed: the same seed gives the same bytes.")
            .option("--seed", "S", "Random seed");

    public static final SettingsSection SECTION = new SettingsSection("synth-coco", List.of(OUT, FORCE, IMAGES, WIDTH,
            HEIGHT, SEED));

    /** The synth-coco settings (declared above; defaults in conf/synth-coco.conf). */
    public record Settings(Path out, boolean force, int images, int width, int height, long seed) {
        public static Settings from(Config section) {
            SettingsSection.Values v = SECTION.read(section);
            return new Settings(Path.of(v.get(OUT)), v.get(FORCE), v.get(IMAGES), v.get(WIDTH), v.get(HEIGHT), v.get(SEED));
        }
    }

    /** Writes the data set into {@code s.out()}, which must be new, empty, or an earlier synthetic set (or forced). */
    public static void write(Settings s, String what, PrintStream console) throws IOException {
        OutputFolder.claim(s.out().toString(), new Configuration(), KIND, s.force(), what);
        long t = System.nanoTime();
        new SyntheticCoco(s.width(), s.height(), s.seed()).write(s.out(), s.images());
        console.printf(Locale.ROOT, "synth-coco: %d images of %dx%d in %s (%.1f s); annotations %s%n", s.images(),
                s.width(), s.height(), s.out(), (System.nanoTime() - t) / 1e9, s.out().resolve(SyntheticCoco.ANNOTATIONS));
    }

    /**
     * A demo's data under {@code root}: the synthetic set of {@code cfg}'s synth-coco section written
     * to root/coco, preprocess.coco pointed at it and train.data at its shards (root/shards).
     */
    public static JobConfig demoData(JobConfig cfg, Path root, PrintStream console) throws IOException {
        Path coco = root.resolve("coco");
        JobConfig with = cfg.with("synth-coco.out", coco.toString())
                .with("preprocess.coco.annotations", coco.resolve(SyntheticCoco.ANNOTATIONS).toString())
                .with("preprocess.coco.images", coco.resolve(SyntheticCoco.IMAGES).toString())
                .with("preprocess.coco.out", root.resolve("shards").toString())
                .with("train.data", root.resolve("shards").toString());
        Settings s = Settings.from(with.section(SECTION.name()));
        write(new Settings(s.out(), false, s.images(), s.width(), s.height(), s.seed()), "the demo's data folder", console);
        return with;
    }
}
