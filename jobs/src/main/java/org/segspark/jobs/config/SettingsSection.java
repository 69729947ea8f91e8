package org.segspark.jobs.config;

import com.typesafe.config.Config;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;

import java.util.ArrayList;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The declared settings of one job section (e.g. {@code train}): reads and validates the section
 * into {@link Values}, gives a command the options of the settings that have one, and turns the
 * options given on a command line into configuration layers.
 */
public final class SettingsSection {
    private final String name;
    private final List<Setting<?>> settings;

    public SettingsSection(String name, List<Setting<?>> settings) {
        this.name = name;
        this.settings = List.copyOf(settings);
    }

    public String name() {
        return name;
    }

    public List<Setting<?>> settings() {
        return settings;
    }

    /** Every declared setting's value, validated. */
    public Values read(Config section) {
        Map<Setting<?>, Object> values = new IdentityHashMap<>();
        for (Setting<?> s : settings) {
            values.put(s, s.read(section, name));
        }
        return new Values(Collections.unmodifiableMap(values));
    }

    /** A section's values by their declarations. */
    public record Values(Map<Setting<?>, Object> values) {
        @SuppressWarnings("unchecked")
        public <T> T get(Setting<T> s) {
            if (!values.containsKey(s)) {
                throw new IllegalArgumentException("setting " + s.key() + " is not declared in this section");
            }
            return (T) values.get(s);
        }
    }

    /** Adds an option to {@code spec} for every setting that declares one. */
    public void addOptions(CommandSpec spec) {
        for (Setting<?> s : settings) {
            if (s.optionName() != null) {
                OptionSpec.Builder b = OptionSpec.builder(s.optionName())
                        .type(s.optionType())
                        .description(s.optionHelp());
                if (s.optionLabel() != null) {
                    b.paramLabel(s.optionLabel());
                }
                if (s.isNegatable()) {
                    b.negatable(true).arity("0");
                } else if (s.optionType() == Boolean.class) {
                    b.arity("0..1").fallbackValue("true");
                }
                spec.addOption(b.build());
            }
        }
    }

    /** The options given on {@code spec}'s command line, as {@code section.key -> value}. */
    public Map<String, Object> given(CommandSpec spec) {
        Map<String, Object> out = new LinkedHashMap<>();
        for (Setting<?> s : settings) {
            if (s.optionName() != null) {
                OptionSpec o = spec.findOption(s.optionName());
                Object v = o == null ? null : o.getValue();
                if (v != null) {
                    out.put(name + "." + s.key(), v);
                }
            }
        }
        return out;
    }

    /** Keys declared, relative to the section. */
    public List<String> keys() {
        List<String> keys = new ArrayList<>();
        settings.forEach(s -> keys.add(s.key()));
        return keys;
    }
}
