package org.segspark.jobs.config;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigValue;
import com.typesafe.config.ConfigValueType;
import org.segspark.core.config.Setting;
import org.segspark.core.config.SettingsSection;
import picocli.CommandLine.IModelTransformer;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;

import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/** A section's declared settings as a command's options, and the options given as configuration layers. */
public final class SettingOptions {
    private SettingOptions() {
    }

    /**
     * Adds an option to {@code spec} for every setting of {@code section} that declares one; its help
     * ends with the default of the section's conf/ file, or says the option is required. A setting's
     * former spelling is a hidden option that still works, with a warning.
     */
    public static void add(SettingsSection section, CommandSpec spec) {
        Config defaults = JobConfig.defaults(section);
        for (Setting<?> s : section.settings()) {
            if (s.optionName() != null) {
                spec.addOption(builder(s, s.optionName()).description(s.optionHelp() + defaultNote(s, defaults)).build());
                if (s.formerOption() != null) {
                    spec.addOption(builder(s, s.formerOption()).hidden(true).build());
                }
            }
        }
    }

    private static OptionSpec.Builder builder(Setting<?> s, String name) {
        OptionSpec.Builder b = OptionSpec.builder(name).type(s.optionType());
        if (s.optionLabel() != null) {
            b.paramLabel(s.optionLabel());
        }
        if (s.optionType() == List.class) {
            b.auxiliaryTypes(String.class).splitRegex(",");
        }
        if (s.isNegatable()) {
            b.negatable(true).arity("0");
        } else if (s.optionType() == Boolean.class) {
            // a bare flag sets true; one with a value label also takes =true/=false
            b.arity(s.optionLabel() == null ? "0" : "0..1").fallbackValue("true");
        }
        return b;
    }

    /**
     * " (required)", " (default: V)", " (on by default)", or nothing: for an option unset by default, a
     * flag off by default, or one whose help says what its default means (the shard set's classes, say).
     */
    static String defaultNote(Setting<?> s, Config defaults) {
        if (s.isRequired()) {
            return " (required)";
        }
        if (!defaults.hasPath(s.key()) || s.optionHelp().contains("default")) {
            return "";
        }
        ConfigValue v = defaults.getValue(s.key());
        if (v.valueType() == ConfigValueType.BOOLEAN) {
            return Boolean.TRUE.equals(v.unwrapped()) ? " (on by default)" : "";
        }
        if (v.valueType() == ConfigValueType.LIST) {
            List<?> items = (List<?>) v.unwrapped();
            return items.isEmpty() ? "" : " (default: " + items.stream().map(String::valueOf).collect(Collectors.joining(",")) + ")";
        }
        if (v.valueType() == ConfigValueType.OBJECT) {
            return "";
        }
        return " (default: " + v.unwrapped() + ")";
    }

    /** The options of {@code section} given on {@code spec}'s command line, as {@code section.key -> value}. */
    public static Map<String, Object> given(SettingsSection section, CommandSpec spec) {
        Map<String, Object> out = new LinkedHashMap<>();
        for (Setting<?> s : section.settings()) {
            if (s.optionName() != null) {
                Object v = value(spec, s.optionName());
                if (v == null && s.formerOption() != null) {
                    v = value(spec, s.formerOption());
                    if (v != null) {
                        Deprecation.warn(spec, s.formerOption(), s.optionName());
                    }
                }
                if (v != null) {
                    out.put(section.name() + "." + s.key(), v);
                }
            }
        }
        return out;
    }

    private static Object value(CommandSpec spec, String option) {
        OptionSpec o = spec.findOption(option);
        Object v = o == null ? null : o.getValue();
        return v instanceof Collection<?> c && c.isEmpty() ? null : v;
    }

    /** Adds the options of the command's section (the command is a {@link SectionCommand}). */
    public static final class FromSection implements IModelTransformer {
        @Override
        public CommandSpec transform(CommandSpec spec) {
            if (!(spec.userObject() instanceof SectionCommand command)) {
                throw new IllegalStateException(spec.name() + " takes its options from a section but is not a SectionCommand");
            }
            add(command.section(), spec);
            return spec;
        }
    }
}
