package org.segspark.jobs.bench;

import com.fasterxml.jackson.databind.JsonNode;
import org.segspark.models.bench.Timing;

import java.io.File;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/** Runs the PyTorch references (bench/torch_ref.py, bench/model_speed.py) and reads their figures. */
public final class TorchPeer {
    private TorchPeer() {
    }

    /** torch's figures, or null with the reason when the peer cannot run here. */
    public record Figures(double trainImagesPerSecond, double inferImagesPerSecond, long params, String skipped) {
    }

    /** bench/torch_ref.py's UNet-MobileNetV2, training and inference each timed as {@code timing} says. */
    public static Figures run(String python, File script, int size, int batch, int classes, Timing timing, int threads) {
        String unavailable = unavailable(python, script);
        if (unavailable != null) {
            return new Figures(Double.NaN, Double.NaN, -1, unavailable);
        }
        PythonPeer.Output o = PythonPeer.run(python, script, withTiming(List.of("--size", "" + size, "--batch", "" + batch,
                "--classes", "" + classes, "--threads", "" + threads), timing), Map.of());
        if (o.failure() != null) {
            return new Figures(Double.NaN, Double.NaN, -1, o.failure());
        }
        JsonNode j = o.json();
        return new Figures(j.at("/train/images_per_s").asDouble(), j.at("/infer/images_per_s").asDouble(),
                j.at("/unet_mobilenetv2/params").asLong(), null);
    }

    /** One registry model's reference implementation timed by bench/model_speed.py. */
    public static Figures runModel(String python, File script, String model, int size, int batch, int warmup, int steps,
                                   int threads) {
        return runModel(python, script, model, size, batch, Timing.ofSteps(warmup, steps), threads);
    }

    /** As {@link #runModel(String, File, String, int, int, int, int, int)}, training and inference each timed as {@code timing} says. */
    public static Figures runModel(String python, File script, String model, int size, int batch, Timing timing,
                                   int threads) {
        String unavailable = unavailable(python, script);
        if (unavailable != null) {
            return new Figures(Double.NaN, Double.NaN, -1, unavailable);
        }
        PythonPeer.Output o = PythonPeer.run(python, script, withTiming(List.of("--model", model, "--size", "" + size,
                "--batch", "" + batch, "--threads", "" + threads), timing), Map.of());
        if (o.failure() != null) {
            return new Figures(Double.NaN, Double.NaN, -1, o.failure());
        }
        return new Figures(o.json().get("train_images_per_s").asDouble(), o.json().get("infer_images_per_s").asDouble(),
                -1, null);
    }

    /** {@code args} followed by the peer scripts' timing options. */
    private static List<String> withTiming(List<String> args, Timing timing) {
        List<String> all = new ArrayList<>(args);
        all.addAll(List.of("--warmup", "" + timing.warmupSteps(), "--warmup-seconds", "" + timing.warmupSeconds(),
                "--steps", "" + timing.steps(), "--seconds", "" + timing.seconds()));
        return all;
    }

    /** Why the peer cannot run here (no interpreter, no script, no torch), or null. */
    static String unavailable(String python, File script) {
        String missing = PythonPeer.missing(python, script);
        if (missing != null) {
            return missing;
        }
        try {
            Process check = new ProcessBuilder(python, "-c", "import torch, torchvision").redirectErrorStream(true).start();
            if (!check.waitFor(120, TimeUnit.SECONDS) || check.exitValue() != 0) {
                return python + " has no torch/torchvision (Debian: python3-torch python3-torchvision libopenblas0-pthread)";
            }
            return null;
        } catch (IOException e) {
            return "cannot run " + python + ": " + e.getMessage();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return "interrupted";
        }
    }
}
