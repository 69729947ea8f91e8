package org.segspark.jobs.view;

import org.junit.jupiter.api.Assertions;
import org.junit.jupiter.api.Assumptions;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * A program from the machine's packages a test drives (Chromium, Jupyter). Absent on a user's
 * machine, the test is skipped; absent where CI is set (.ci/run installs them), it fails.
 */
public final class ExternalTool {
    private ExternalTool() {
    }

    public record Result(int code, String out, String err) {
    }

    public static Path require(String... candidates) {
        for (String c : candidates) {
            Path p = Path.of(c);
            if (Files.isExecutable(p)) {
                return p;
            }
        }
        String msg = "none of " + String.join(", ", candidates) + " is installed (Debian: chromium, jupyter-nbconvert "
                + "python3-ipykernel python3-matplotlib python3-pandas; .ci/run installs them)";
        if (System.getenv("CI") != null) {
            Assertions.fail(msg);
        }
        Assumptions.abort(msg);
        return null;
    }

    public static Result run(List<String> command, Map<String, String> env, Path dir, long timeoutSeconds)
            throws IOException, InterruptedException {
        ProcessBuilder pb = new ProcessBuilder(new ArrayList<>(command)).directory(dir.toFile());
        pb.environment().putAll(env);
        Path out = Files.createTempFile("segspark-tool", ".out"), err = Files.createTempFile("segspark-tool", ".err");
        pb.redirectOutput(out.toFile()).redirectError(err.toFile());
        Process p = pb.start();
        if (!p.waitFor(timeoutSeconds, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            Assertions.fail(command.get(0) + " did not finish in " + timeoutSeconds + " s: " + Files.readString(err));
        }
        Result r = new Result(p.exitValue(), Files.readString(out, StandardCharsets.UTF_8), Files.readString(err, StandardCharsets.UTF_8));
        Files.deleteIfExists(out);
        Files.deleteIfExists(err);
        return r;
    }
}
