package org.segspark.jobs.bench;

import org.segspark.core.config.Setting;

/** Settings several benchmarks share, declared once; each benchmark's section lists them beside its own. */
public final class BenchSettings {
    private BenchSettings() {
    }

    public static final Setting<String> MODEL = Setting.text("model", "A registry model (segspark models lists them).")
            .option("--model", "NAME", "Registry model");
    public static final Setting<Integer> SIZE = Setting.integer("size", "Square input size in pixels.").atLeast(8)
            .option("--size", "N", "Square input size");
    public static final Setting<Integer> BATCH = Setting.integer("batch", "Images per step.").atLeast(1)
            .option("--batch", "B", "Minibatch size");
    public static final Setting<Integer> CLASSES = Setting.integer("classes", "Classes of the network.").atLeast(0);
    public static final Setting<Integer> STEPS = Setting.integer("steps",
            "Timed steps after the warm-up ones; the median is reported.").atLeast(1)
            .option("--steps", "S", "Timed steps (median reported)");
    public static final Setting<Integer> WARMUP = Setting.integer("warmup", "Untimed warm-up steps.").atLeast(0);
    public static final Setting<Boolean> TORCH = Setting.flag("torch",
                    "Measure the PyTorch peer too (skipped anyway when the interpreter has no torch).")
            .option("--torch", null, "Measure PyTorch too (default); --no-torch skips it").negatable();
    public static final Setting<String> PYTHON = Setting.text("python", "The interpreter that runs the Python peer.");
    public static final Setting<String> TORCH_SCRIPT = Setting.text("torch-script",
            "The PyTorch peer's script; a relative path is relative to the segspark home.");
    public static final Setting<Integer> TORCH_THREADS = Setting.integer("torch-threads", "PyTorch's threads.").atLeast(1);
}
