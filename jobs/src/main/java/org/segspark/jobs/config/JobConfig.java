package org.segspark.jobs.config;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigException;
import com.typesafe.config.ConfigFactory;
import com.typesafe.config.ConfigRenderOptions;
import com.typesafe.config.ConfigValueFactory;
import org.segspark.core.config.SettingsSection;

import java.io.File;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Configuration as data. A job's settings are layered, later wins: the defaults shipped in
 * {@code conf/<job>.conf}, a user's HOCON file ({@code --config}), the command's named options,
 * then any {@code --set key=value}. The effective result is what a run saves next to its outputs.
 */
public final class JobConfig {
    private final Config config;

    private JobConfig(Config config) {
        this.config = config;
    }

    /** Builder collecting the layers of one job's configuration. */
    public static final class Layers {
        private final List<String> jobs;
        private File userFile;
        private final Map<String, Object> options = new LinkedHashMap<>();
        private final StringBuilder sets = new StringBuilder();

        private Layers(List<String> jobs) {
            this.jobs = jobs;
        }

        public Layers file(File f) {
            this.userFile = f;
            return this;
        }

        /** A named command-line option; null means "not given" and leaves the lower layers alone. */
        public Layers option(String key, Object value) {
            if (value != null) {
                options.put(key, value);
            }
            return this;
        }

        /** Named command-line options, {@code section.key -> value}. */
        public Layers options(Map<String, Object> given) {
            given.forEach(this::option);
            return this;
        }

        /** {@code key=value} in HOCON syntax, e.g. {@code train.optimizer.lr=3e-4}. */
        public Layers set(List<String> assignments) {
            if (assignments != null) {
                for (String a : assignments) {
                    int eq = a.indexOf('=');
                    if (eq <= 0) {
                        throw new IllegalArgumentException("--set needs key=value, got \"" + a + "\"");
                    }
                    sets.append(a, 0, eq).append(" = ").append(a.substring(eq + 1)).append('\n');
                }
            }
            return this;
        }

        public JobConfig load() {
            Config c = ConfigFactory.empty();
            for (String job : jobs) {
                c = c.withFallback(defaults(job));
            }
            c = c.withFallback(defaults("spark"));
            if (userFile != null) {
                if (!userFile.isFile()) {
                    throw new IllegalArgumentException("config file " + userFile + " does not exist");
                }
                Config file;
                try {
                    file = ConfigFactory.parseFile(userFile);
                } catch (ConfigException e) {
                    throw new IllegalArgumentException("config file " + e.getMessage(), e);
                }
                c = over(c, file, "in " + userFile);
            }
            Config opts = ConfigFactory.empty();
            for (Map.Entry<String, Object> e : options.entrySet()) {
                opts = opts.withValue(e.getKey(), ConfigValueFactory.fromAnyRef(e.getValue()));
            }
            c = opts.withFallback(c);
            if (sets.length() > 0) {
                Config set;
                try {
                    set = ConfigFactory.parseString(sets.toString());
                } catch (ConfigException e) {
                    throw new IllegalArgumentException("bad --set value: " + e.getMessage(), e);
                }
                c = over(c, set, "in --set");
            }
            try {
                return new JobConfig(c.resolve());
            } catch (ConfigException e) {
                throw new IllegalArgumentException("configuration: " + e.getMessage(), e);
            }
        }
    }

    /**
     * A user's layer ({@code where}: its file, or --set) over {@code lower}: renamed keys moved to
     * their new names, unknown keys refused, and the objects it gives that replace rather than merge
     * ({@link Settings#REPLACED}) taken out of {@code lower} first.
     */
    private static Config over(Config lower, Config user, String where) {
        Config upper = Settings.renamed(user, where);
        Settings.requireKnown(upper.root(), where);
        Config c = lower;
        for (String path : Settings.REPLACED) {
            if (upper.hasPathOrNull(path)) {
                c = c.withoutPath(path);
            }
        }
        return upper.withFallback(c);
    }

    /** The layers of a job whose defaults are the first file's, falling back on the others' (a composite job like demo). */
    public static Layers of(String... jobs) {
        return new Layers(List.of(jobs));
    }

    /** A section's defaults: its part of its job's conf/ file (preprocess.coco's are in preprocess-coco.conf). */
    public static Config defaults(SettingsSection section) {
        return defaults(section.name().replace('.', '-')).getConfig(section.name());
    }

    static Config defaults(String job) {
        String resource = "org/segspark/conf/" + job + ".conf";
        Config c = ConfigFactory.parseResources(JobConfig.class.getClassLoader(), resource);
        if (c.isEmpty()) {
            throw new IllegalStateException("no defaults for " + job + " on the classpath (" + resource + ")");
        }
        return c;
    }

    /** A configuration from its rendered text (what {@link #render()} gives), for work shipped to Spark tasks. */
    public static JobConfig parse(String hocon) {
        return new JobConfig(ConfigFactory.parseString(hocon).resolve());
    }

    /** A copy with one more setting, for values a job derives (a demo's folders, say). */
    public JobConfig with(String path, Object value) {
        return new JobConfig(config.withValue(path, ConfigValueFactory.fromAnyRef(value)));
    }

    /** One section as a Jackson tree, for manifests. */
    public JsonNode jsonTree(String path) {
        try {
            return new ObjectMapper().readTree(json(path));
        } catch (IOException e) {
            throw new IllegalStateException("cannot convert config section " + path + " to JSON", e);
        }
    }

    public Config get() {
        return config;
    }

    public Config section(String path) {
        return config.getConfig(path);
    }

    /** The section, after checking it sets every one of {@code keys} (each a command's --KEY option). */
    public Config section(String path, String... required) {
        Config c = section(path);
        for (String k : required) {
            if (!c.hasPath(k)) {
                throw new IllegalArgumentException("--" + k + " is required");
            }
        }
        return c;
    }

    /** HOCON text of the effective configuration, with the defaults' comments. */
    public String render() {
        return config.root().render(ConfigRenderOptions.defaults().setOriginComments(false).setJson(false));
    }

    /** JSON text of one section, for manifests and provenance. */
    public String json(String path) {
        return config.getConfig(path).root().render(ConfigRenderOptions.concise().setFormatted(true));
    }
}
