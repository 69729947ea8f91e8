package org.segspark.jobs.bench;

import java.util.ArrayList;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/** Runs a Python peer script of bench/ in a subprocess and reads the JSON object it prints. */
final class PythonPeer {
    private PythonPeer() {
    }

    /** The script's JSON, or null with the reason it could not be had. */
    record Output(JsonNode json, String failure) {
    }

    /** Why {@code python script} cannot run here, or null. */
    static String missing(String python, File script) {
        if (!new File(python).canExecute()) {
            return python + " not found";
        }
        return script.isFile() ? null : script + " not found";
    }

    static Output run(String python, File script, List<String> args, Map<String, String> env) {
        String missing = missing(python, script);
        if (missing != null) {
            return new Output(null, missing);
        }
        try {
            List<String> cmd = new ArrayList<>(List.of(python, script.getPath()));
            cmd.addAll(args);
            ProcessBuilder pb = new ProcessBuilder(cmd);
            pb.environment().putAll(env);
            Process p = pb.start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            String err = new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!p.waitFor(60, TimeUnit.MINUTES) || p.exitValue() != 0) {
                return new Output(null, script.getName() + " failed: " + err.strip());
            }
            return new Output(new ObjectMapper().readTree(out), null);
        } catch (IOException e) {
            return new Output(null, "cannot run " + python + ": " + e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return new Output(null, "interrupted");
        }
    }
}
