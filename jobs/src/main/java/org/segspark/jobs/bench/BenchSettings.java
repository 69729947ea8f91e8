package org.segspark.jobs.bench;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigValueType;
import org.segspark.core.config.Setting;

import java.util.Locale;

/** Settings several benchmarks share, declared once; each benchmark's section lists them beside its own. */
public final class BenchSettings {
    private BenchSettings() {
    }

    private static int squareSize(Config section, String key) {
        if (section.getValue(key).valueType() == ConfigValueType.NUMBER) {
            return section.getInt(key);
        }
        String text = section.getString(key);
        String[] hw = text.toLowerCase(Locale.ROOT).split("x");
        try {
            if (hw.length == 1 || hw.length == 2 && hw[0].trim().equals(hw[1].trim())) {
                return Integer.parseInt(hw[0].trim());
            }
        } catch (NumberFormatException e) {
            // reported below
        }
        throw new IllegalArgumentException(key + " must be a square HxW size like 128x128 (or 128), got \"" + text + "\"");
    }

    public static final Setting<String> MODEL = Setting.text("model", "A registry model (segspark models lists them).")
            .option("--model", "NAME", "Registry model");
    public static final Setting<Integer> SIZE = Setting.custom("size", "HxW (square) or integer", BenchSettings::squareSize,
                    "Square input size in pixels, as HxW like every --size (the PyTorch peers take square inputs) or one number.")
            .check(v -> v >= 8, "must be >= 8").option("--size", "HxW", "Input height x width (square)");
    public static final Setting<Integer> BATCH = Setting.integer("batch", "Images per step.").atLeast(1)
            .option("--batch", "B", "Minibatch size");
    public static final Setting<Integer> CLASSES = Setting.integer("classes", "Classes of the network.").atLeast(0);
    public static final Setting<Integer> STEPS = Setting.integer("steps",
            "Timed steps after the warm-up ones; the median is reported.").atLeast(1)
            .option("--steps", "S", "Timed steps (median reported)");
    public static final Setting<Integer> WARMUP = Setting.integer("warmup", "Untimed warm-up steps.").atLeast(0);
    public static final Setting<Double> WARMUP_SECONDS = Setting.number("warmup-seconds",
            "Warm-up goes on for at least this long, past the warm-up steps, in every engine: HotSpot compiles "
                    + "the Java side for 10-15 s (MobileNetV3-Small training at 128x128 reaches its steady step time "
                    + "after about 15 s), and training lives in the steady state.").atLeast(0);
    public static final Setting<Double> SECONDS = Setting.number("seconds",
                    "Timed steps go on at least this long past the timed steps, in every engine, and the median "
                            + "step is reported: seconds rather than steps give a 40 ms step and a 400 ms one the same "
                            + "stretch of the machine's state (20 steps of 40 ms are under a second, shorter than a "
                            + "shared host's slow spells).").atLeast(0)
            .option("--seconds", "S", "Time each measurement for at least S seconds");
    public static final Setting<Double> REWARM_SECONDS = Setting.number("rewarm-seconds",
            "Warm-up of every measurement after segspark's first training of a model (later rounds, inference "
                    + "after training, ONNX Runtime) and of every PyTorch measurement: only the JVM compiles code at "
                    + "run time, and once it has, a few seconds fill the allocators' and oneDNN's caches.").atLeast(0);
    public static final Setting<Boolean> TORCH = Setting.flag("torch",
                    "Measure the PyTorch peer too (skipped anyway when the interpreter has no torch).")
            .option("--torch", null, "Measure PyTorch too (default); --no-torch skips it").negatable();
    public static final Setting<String> PYTHON = Setting.text("python", "The interpreter that runs the Python peer.");
    public static final Setting<String> TORCH_SCRIPT = Setting.text("torch-script",
            "The PyTorch peer's script; a relative path is relative to the segspark home.");
    public static final Setting<Integer> ROUNDS = Setting.integer("rounds",
                    "DL4J and PyTorch are measured in turns this many times; the medians are reported, and the "
                            + "ratios are the medians of each round's ratio.").atLeast(1)
            .option("--rounds", "R", "Turns of DL4J and PyTorch (medians reported)");
    public static final Setting<Integer> ONNXRUNTIME_THREADS = Setting.integer("onnxruntime-threads",
                    "ONNX Runtime's threads for inference of the exported network (what predict serves by default); 0 "
                            + "skips it.").atLeast(0);
    public static final Setting<Integer> TORCH_THREADS = Setting.integer("torch-threads", "PyTorch's threads.").atLeast(1);
}
