package org.segspark.jobs.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.segspark.models.bench.Timing;

import java.io.BufferedReader;
import java.io.File;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * A registry model's PyTorch reference kept alive in {@code bench/model_speed.py --serve}, timing a
 * phase (training or inference) whenever asked: the benchmark and the peer take turns every few
 * seconds on networks built once, so both meet the same spells of a shared machine.
 */
final class TorchSession implements AutoCloseable {
    private static final ObjectMapper JSON = new ObjectMapper();

    private final Process process;
    private final Writer requests;
    private final BufferedReader replies;
    private final File errors;
    private final String script;

    private TorchSession(Process process, File errors, String script) {
        this.process = process;
        this.requests = new OutputStreamWriter(process.getOutputStream(), StandardCharsets.UTF_8);
        this.replies = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
        this.errors = errors;
        this.script = script;
    }

    /** The peer started and its model built; an {@link IOException} says why it could not be. */
    static TorchSession open(String python, File script, String model, int size, int batch, int threads) throws IOException {
        File errors = File.createTempFile("segspark-torch-", ".log");
        errors.deleteOnExit();
        Process p = new ProcessBuilder(List.of(python, script.getPath(), "--serve", "--model", model, "--size", "" + size,
                "--batch", "" + batch, "--threads", "" + threads)).redirectError(errors).start();
        TorchSession s = new TorchSession(p, errors, script.getName());
        JsonNode ready = s.reply();
        if (!ready.path("ready").asBoolean()) {
            s.close();
            throw new IOException(script.getName() + " did not start serving: " + ready);
        }
        return s;
    }

    /** Seconds of the median timed step of {@code phase} ("train" or "infer"), timed as {@code timing} says. */
    double stepSeconds(String phase, Timing timing) throws IOException {
        requests.write(JSON.writeValueAsString(Map.of("phase", phase, "warmup", timing.warmupSteps(), "warmup_seconds",
                timing.warmupSeconds(), "steps", timing.steps(), "seconds", timing.seconds())) + "\n");
        requests.flush();
        JsonNode r = reply();
        if (!phase.equals(r.path("phase").asText())) {
            throw new IOException(script + " answered " + r + " to a " + phase + " request");
        }
        return r.get("step_s").asDouble();
    }

    private JsonNode reply() throws IOException {
        String line = replies.readLine();
        if (line == null) {
            throw new IOException(script + " stopped: " + Files.readString(errors.toPath()).strip());
        }
        return JSON.readTree(line);
    }

    @Override
    public void close() {
        try {
            requests.write("quit\n");
            requests.close();
        } catch (IOException e) {
            // already gone; destroyed below if it lingers
        }
        try {
            if (!process.waitFor(30, TimeUnit.SECONDS)) {
                process.destroyForcibly();
            }
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
        }
        errors.delete();
    }
}
