package org.segspark.jobs.config;

import org.segspark.core.config.Setting;
import org.segspark.core.config.SettingsSection;
import picocli.CommandLine.IModelTransformer;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;

import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** A section's declared settings as a command's options, and the options given as configuration layers. */
public final class SettingOptions {
    private SettingOptions() {
    }

    /** Adds an option to {@code spec} for every setting of {@code section} that declares one. */
    public static void add(SettingsSection section, CommandSpec spec) {
        for (Setting<?> s : section.settings()) {
            if (s.optionName() != null) {
                OptionSpec.Builder b = OptionSpec.builder(s.optionName())
                        .type(s.optionType())
                        .description(s.optionHelp());
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
                spec.addOption(b.build());
            }
        }
    }

    /** The options of {@code section} given on {@code spec}'s command line, as {@code section.key -> value}. */
    public static Map<String, Object> given(SettingsSection section, CommandSpec spec) {
        Map<String, Object> out = new LinkedHashMap<>();
        for (Setting<?> s : section.settings()) {
            if (s.optionName() != null) {
                OptionSpec o = spec.findOption(s.optionName());
                Object v = o == null ? null : o.getValue();
                if (v != null && !(v instanceof Collection<?> c && c.isEmpty())) {
                    out.put(section.name() + "." + s.key(), v);
                }
            }
        }
        return out;
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
