package org.segspark.preprocess;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.nio.file.Path;
import java.util.Objects;

/** Test resources copied from real data sets (each folder has its PROVENANCE.txt). */
public final class TestData {
    private TestData() {
    }

    public static Path path(String resource) {
        try {
            return Path.of(Objects.requireNonNull(TestData.class.getResource("/data/" + resource),
                    "missing test resource data/" + resource).toURI());
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    public static InputStream open(String resource) {
        return Objects.requireNonNull(TestData.class.getResourceAsStream("/data/" + resource),
                "missing test resource data/" + resource);
    }

    public static byte[] bytes(String resource) {
        try (InputStream in = open(resource)) {
            return in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
