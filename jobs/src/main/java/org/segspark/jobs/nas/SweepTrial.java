package org.segspark.jobs.nas;

import com.typesafe.config.ConfigObject;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.stream.Collectors;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigList;
import com.typesafe.config.ConfigValue;
import org.segspark.jobs.config.JobConfig;
import org.segspark.jobs.config.Settings;
import org.segspark.nas.NasModels;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

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
        for (Map<String, Object> t : raw) {
            for (String key : t.keySet()) {
                if (!NasModels.SETTINGS.contains(key)) {
                    Settings.requireKnown("train." + key, "(sweep key " + key + ": a nas setting "
                            + new TreeSet<>(NasModels.SETTINGS) + " or a train setting)");
                }
            }
        }
        if (raw.size() == 1 && raw.get(0).isEmpty()) {
            throw new IllegalArgumentException("the sweep has no trials: set sweep.grid or sweep.trials");
        }
        List<SweepTrial> out = new ArrayList<>();
        for (int i = 0; i < raw.size(); i++) {
            out.add(new SweepTrial(id(i, raw.get(i)), raw.get(i)));
        }
        return out;
    }

    static String id(int index, Map<String, Object> settings) {
        StringBuilder b = new StringBuilder(String.format(Locale.ROOT, "t%02d", index));
        settings.forEach((k, v) -> b.append('-').append(k).append('=').append(v));
        return b.toString().replaceAll("[^A-Za-z0-9=.,_-]", "_");
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
