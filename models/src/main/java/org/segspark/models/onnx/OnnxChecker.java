package org.segspark.models.onnx;

import java.util.ArrayList;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The reference validator of ONNX files: the {@code onnx} Python package's checker with full
 * shape inference ({@code check_model(model, full_check=True)}), run in the machine's Python
 * (Debian: python3-onnx). A second implementation judging the exporter's output.
 */
public final class OnnxChecker {
    private static final String PYTHON = "/usr/bin/python3";
    private static final String SCRIPT = String.join("\n",
            "import sys, onnx",
            "for p in sys.argv[1:]:",
            // a path given to check_model is rewritten with the inferred shapes (onnx 1.12): check a loaded copy
            "    onnx.checker.check_model(onnx.load(p), full_check=True)",
            "    print('ok', onnx.__version__, p)");

    private OnnxChecker() {
    }

    /** Whether the machine's Python has the onnx package. */
    public static boolean available() {
        try {
            return run(List.of(PYTHON, "-c", "import onnx"), 60).code() == 0;
        } catch (IOException e) {
            return false;
        }
    }

    /** The checker's verdict on each file: null when all pass, else its message. */
    public static String check(List<Path> files) throws IOException {
        List<String> command = new ArrayList<>(List.of(PYTHON, "-c", SCRIPT));
        files.forEach(f -> command.add(f.toAbsolutePath().toString()));
        Result r = run(command, 600);
        return r.code() == 0 ? null : r.err().isBlank() ? r.out() : r.err();
    }

    /**
     * The checker's verdict on the files (null: all pass). Without the onnx package the check is
     * an error when {@code required} (CI, where .ci/run installs it), else skipped with a line on
     * standard error.
     */
    public static String checkIfInstalled(List<Path> files, boolean required) throws IOException {
        if (!available()) {
            String why = "python3-onnx is not installed (Debian: python3-onnx; .ci/run installs it)";
            if (required) {
                throw new IOException(why);
            }
            System.err.println("skipped the ONNX checker: " + why);
            return null;
        }
        return check(files);
    }

    private record Result(int code, String out, String err) {
    }

    private static Result run(List<String> command, long timeoutSeconds) throws IOException {
        if (!Files.isExecutable(Path.of(command.get(0)))) {
            throw new IOException(command.get(0) + " is not installed");
        }
        Path out = Files.createTempFile("segspark-onnx-check", ".out"), err = Files.createTempFile("segspark-onnx-check", ".err");
        try {
            Process p = new ProcessBuilder(command).redirectOutput(out.toFile()).redirectError(err.toFile()).start();
            if (!p.waitFor(timeoutSeconds, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new IOException("the ONNX checker did not finish in " + timeoutSeconds + " s");
            }
            return new Result(p.exitValue(), Files.readString(out, StandardCharsets.UTF_8), Files.readString(err, StandardCharsets.UTF_8));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while checking ONNX files", e);
        } finally {
            Files.deleteIfExists(out);
            Files.deleteIfExists(err);
        }
    }
}
