package org.segspark.jobs.nas;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigList;
import com.typesafe.config.ConfigObject;
import com.typesafe.config.ConfigValue;
import org.segspark.core.text.Figures;
import org.segspark.jobs.config.JobConfig;
import org.segspark.jobs.config.Settings;
import org.segspark.nas.NasModels;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.stream.Collectors;

/**
 * One trial of a sweep: its settings (nas settings go to train.model-options.architecture, the
 * rest to train) and a folder name derived from them, so a rerun finds it.
 */
public record SweepTrial(String id, Map<String, Object> settings) implements Serializable {

    /** The trials a sweep section asks for: its list, or every combination of its grid. */
    public static List<SweepTrial> of(Config grid, ConfigList trials) {
        List<Map<String, Object>> raw = new ArrayList<>();
        if (!trials.isEmpty()) {
            for (ConfigValue v : trials) {
                if (!(v instanceof ConfigObject o)) {
                    throw new IllegalArgumentException("sweep.trials must be a list of objects, got " + v.render());
                }
                // dotted keys (optimizer.lr) are nested objects in HOCON: flattened back to paths
                Map<String, Object> t = new TreeMap<>();
                o.toConfig().entrySet().forEach(e -> t.put(e.getKey(), e.getValue().unwrapped()));
                raw.add(t);
            }
        } else {
            raw.add(new LinkedHashMap<>());
            for (Map.Entry<String, ConfigValue> e : new TreeMap<>(
                    grid.entrySet().stream().collect(Collectors.toMap(
                            Map.Entry::getKey, Map.Entry::getValue))).entrySet()) {
                if (!(e.getValue().unwrapped() instanceof List<?> values) || values.isEmpty()) {
                    throw new IllegalArgumentException("sweep.grid." + e.getKey() + " must be a non-empty list");
                }
                List<Map<String, Object>> next = new ArrayList<>();
                for (Map<String, Object> t : raw) {
                    for (Object v : values) {
                        Map<String, Object> c = new LinkedHashMap<>(t);
                        c.put(e.getKey(), v);
                        next.add(c);
                    }
                }
                raw = next;
            }
        }
        raw.forEach(SweepTrial::requireKnownKeys);
        if (raw.size() == 1 && raw.get(0).isEmpty()) {
            throw new IllegalArgumentException("the sweep has no trials: set sweep.grid or sweep.trials");
        }
        List<SweepTrial> out = new ArrayList<>();
        for (int i = 0; i < raw.size(); i++) {
            out.add(new SweepTrial(id(i, raw.get(i)), raw.get(i)));
        }
        return out;
    }

    /**
     * {@code samples} trials drawn from the grid's keys: from a list, one of its values; from
     * {@code {min, max}}, a number uniformly between them ({@code log = true}: log-uniformly; an
     * integer when both bounds are). The same seed draws the same trials, so a rerun finds them.
     */
    public static List<SweepTrial> random(Config space, int samples, long seed) {
        Random rng = new Random(seed);
        Map<String, ConfigValue> keys = new TreeMap<>();
        dimensions(space.root(), "", keys);
        if (keys.isEmpty()) {
            throw new IllegalArgumentException("sweep.sampler = random draws from sweep.grid's keys, and it has none");
        }
        List<SweepTrial> out = new ArrayList<>();
        for (int i = 0; i < samples; i++) {
            Map<String, Object> t = new LinkedHashMap<>();
            keys.forEach((k, v) -> t.put(k, draw(k, v, rng)));
            requireKnownKeys(t);
            out.add(new SweepTrial(id(i, t), t));
        }
        return out;
    }

    /** The space's dimensions by path: lists and {min, max} ranges (dotted keys such as optimizer.lr are nested objects). */
    private static void dimensions(ConfigObject o, String prefix, Map<String, ConfigValue> out) {
        o.forEach((k, v) -> {
            String path = prefix + k;
            if (v instanceof ConfigObject child && !(child.containsKey("min") && child.containsKey("max"))) {
                dimensions(child, path + ".", out);
            } else {
                out.put(path, v);
            }
        });
    }

    private static Object draw(String key, ConfigValue v, Random rng) {
        if (v.unwrapped() instanceof List<?> values && !values.isEmpty()) {
            return values.get(rng.nextInt(values.size()));
        }
        if (v instanceof ConfigObject o && o.containsKey("min") && o.containsKey("max")) {
            Config range = o.toConfig();
            double min = range.getDouble("min"), max = range.getDouble("max");
            boolean log = range.hasPath("log") && range.getBoolean("log");
            if (!(max > min) || log && min <= 0) {
                throw new IllegalArgumentException("sweep.grid." + key + " must have min < max" + (log ? " and min > 0 for "
                        + "log = true" : "") + ", got " + v.render());
            }
            double u = rng.nextDouble();
            double x = log ? Math.exp(Math.log(min) + u * (Math.log(max) - Math.log(min))) : min + u * (max - min);
            boolean integers = o.get("min").unwrapped() instanceof Integer && o.get("max").unwrapped() instanceof Integer;
            return integers ? (Object) (int) Math.round(x) : (Object) Double.parseDouble(Figures.significant(x, 3));
        }
        throw new IllegalArgumentException("sweep.grid." + key + " must be a non-empty list or {min, max[, log]} for "
                + "random sampling, got " + v.render());
    }

    static String id(int index, Map<String, Object> settings) {
        StringBuilder b = new StringBuilder(String.format(Locale.ROOT, "t%02d", index));
        settings.forEach((k, v) -> b.append('-').append(k).append('=').append(v));
        return b.toString().replaceAll("[^A-Za-z0-9=.,_-]", "_");
    }

    private static void requireKnownKeys(Map<String, Object> trial) {
        for (String key : trial.keySet()) {
            if (!NasModels.SETTINGS.contains(key)) {
                Settings.requireKnown("train." + key, "(sweep key " + key + ": a nas setting "
                        + new TreeSet<>(NasModels.SETTINGS) + " or a train setting)");
            }
        }
    }

    /** The trial's configuration: the sweep's train section with the trial's settings. */
    public JobConfig apply(JobConfig base) {
        JobConfig c = base;
        for (Map.Entry<String, Object> e : settings.entrySet()) {
            String path = NasModels.SETTINGS.contains(e.getKey())
                    ? "train.model-options.architecture." + e.getKey() : "train." + e.getKey();
            c = c.with(path, e.getValue());
        }
        return c;
    }
}
