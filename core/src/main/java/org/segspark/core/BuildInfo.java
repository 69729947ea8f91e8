package org.segspark.core;

import java.io.IOException;
import java.io.InputStream;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Properties;

/** The code version that produced an artefact, recorded in every manifest and model's provenance. */
public final class BuildInfo {
    private static final Properties PROPS = load();

    private BuildInfo() {
    }

    public static String version() {
        return PROPS.getProperty("version", "unknown");
    }

    public static String gitCommit() {
        return PROPS.getProperty("git.commit", "unknown");
    }

    public static Map<String, String> asMap() {
        Map<String, String> m = new LinkedHashMap<>();
        m.put("tool", "segspark");
        m.put("version", version());
        m.put("git_commit", gitCommit());
        return m;
    }

    private static Properties load() {
        Properties p = new Properties();
        try (InputStream in = BuildInfo.class.getResourceAsStream("/org/segspark/build.properties")) {
            if (in != null) {
                p.load(in);
            }
        } catch (IOException ignored) {
            // no build information: "unknown" is reported
        }
        return p;
    }
}
