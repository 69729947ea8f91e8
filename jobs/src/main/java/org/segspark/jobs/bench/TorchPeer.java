package org.segspark.jobs.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** Runs the PyTorch reference (bench/torch_ref.py) in a subprocess and reads its JSON. */
public final class TorchPeer {
    private TorchPeer() {
    }

    /** torch's figures, or null with the reason when the peer cannot run here. */
    public record Figures(double trainImagesPerSecond, double inferImagesPerSecond, long params, String skipped) {
    }

    public static Figures run(String python, File script, int size, int batch, int classes, int steps, int threads) {
        String unavailable = unavailable(python, script);
        if (unavailable != null) {
            return new Figures(Double.NaN, Double.NaN, -1, unavailable);
        }
        try {
            Process p = new ProcessBuilder(List.of(python, script.getPath(), "--size", "" + size, "--batch", "" + batch,
                    "--classes", "" + classes, "--steps", "" + steps, "--threads", "" + threads)).start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            String err = new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!p.waitFor(30, TimeUnit.MINUTES) || p.exitValue() != 0) {
                return new Figures(Double.NaN, Double.NaN, -1, "torch_ref.py failed: " + err.strip());
            }
            JsonNode j = new ObjectMapper().readTree(out);
            return new Figures(j.at("/train/images_per_s").asDouble(), j.at("/infer/images_per_s").asDouble(),
                    j.at("/unet_mobilenetv2/params").asLong(), null);
        } catch (IOException e) {
            return new Figures(Double.NaN, Double.NaN, -1, "cannot run " + python + ": " + e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return new Figures(Double.NaN, Double.NaN, -1, "interrupted");
        }
    }

    /** One registry model's reference implementation timed by bench/model_speed.py. */
    public static Figures runModel(String python, File script, String model, int size, int batch, int warmup, int steps,
                                   int threads) {
        String unavailable = unavailable(python, script);
        if (unavailable != null) {
            return new Figures(Double.NaN, Double.NaN, -1, unavailable);
        }
        try {
            Process p = new ProcessBuilder(List.of(python, script.getPath(), "--model", model, "--size", "" + size,
                    "--batch", "" + batch, "--warmup", "" + warmup, "--steps", "" + steps, "--threads", "" + threads)).start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            String err = new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!p.waitFor(30, TimeUnit.MINUTES) || p.exitValue() != 0) {
                return new Figures(Double.NaN, Double.NaN, -1, script.getName() + " failed: " + err.strip());
            }
            JsonNode j = new ObjectMapper().readTree(out);
            return new Figures(j.get("train_images_per_s").asDouble(), j.get("infer_images_per_s").asDouble(), -1, null);
        } catch (IOException e) {
            return new Figures(Double.NaN, Double.NaN, -1, "cannot run " + python + ": " + e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return new Figures(Double.NaN, Double.NaN, -1, "interrupted");
        }
    }

    /** Why the peer cannot run here, or null. */
    static String unavailable(String python, File script) {
        if (!new File(python).canExecute()) {
            return python + " not found";
        }
        if (!script.isFile()) {
            return script + " not found";
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
