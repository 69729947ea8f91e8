package org.segspark.core.config;

import com.typesafe.config.Config;

import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The declared settings of one job section (e.g. {@code train}): reads and validates the section
 * into {@link Values}. The commands' options come from the same declarations (jobs' SettingOptions).
 */
public final class SettingsSection {
    private final String name;
    private final List<Setting<?>> settings;

    public SettingsSection(String name, List<Setting<?>> settings) {
        this.name = name;
        this.settings = List.copyOf(settings);
        Set<String> keys = new HashSet<>();
        for (Setting<?> s : settings) {
            if (!keys.add(s.key())) {
                throw new IllegalArgumentException(name + " declares " + s.key() + " twice");
            }
        }
    }

    public String name() {
        return name;
    }

    public List<Setting<?>> settings() {
        return settings;
    }

    /** Every declared setting's value, validated. */
    public Values read(Config section) {
        Map<Setting<?>, Object> values = new HashMap<>();
        for (Setting<?> s : settings) {
            values.put(s, s.read(section, name));
        }
        return new Values(Collections.unmodifiableMap(values));
    }

    /** A section's values by their declarations (a setting and its copies with another option are one key). */
    public record Values(Map<Setting<?>, Object> values) {
        @SuppressWarnings("unchecked")
        public <T> T get(Setting<T> s) {
            if (!values.containsKey(s)) {
                throw new IllegalArgumentException("setting " + s.key() + " is not declared in this section");
            }
            return (T) values.get(s);
        }
    }

    /** Keys declared, relative to the section. */
    public List<String> keys() {
        List<String> keys = new ArrayList<>();
        settings.forEach(s -> keys.add(s.key()));
        return keys;
    }
}
