package org.segspark.jobs.config;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigRenderOptions;
import org.segspark.core.config.Setting;
import org.segspark.core.config.SettingsSection;

import java.util.List;

/** docs/SETTINGS.md: every declared setting with its type, default (from conf/), rule, option and meaning. */
public final class SettingsDoc {
    private SettingsDoc() {
    }

    /** The page for {@code sections}, each with the defaults of its job's conf/ file. */
    public static String markdown(List<SettingsSection> sections) {
        StringBuilder b = new StringBuilder("# Settings\n\nGenerated from the settings' declarations "
                + "(`SettingsDocTest` keeps this page true); defaults are those of `conf/<job>.conf`. A setting is given "
                + "in a `--config` file, with `--set section.key=value`, or by its option.\n");
        for (SettingsSection s : sections) {
            Config defaults = JobConfig.defaults(s);
            b.append("\n## ").append(s.name()).append("\n\n| key | type | default | option | meaning |\n|---|---|---|---|---|\n");
            for (Setting<?> st : s.settings()) {
                String def = !defaults.hasPathOrNull(st.key()) ? "" : defaults.getIsNull(st.key()) ? "null"
                        : defaults.getValue(st.key()).render(ConfigRenderOptions.concise());
                String meaning = st.doc() + (st.rule() == null ? "" : " Must be: " + st.rule().replaceFirst("^must be ", "") + ".");
                b.append("| `").append(st.key()).append("` | ").append(cell(st.typeName())).append(" | `").append(def)
                        .append("` | ").append(st.optionName() == null ? "" : "`" + st.optionName() + "`").append(" | ")
                        .append(cell(meaning)).append(" |\n");
            }
        }
        return b.toString();
    }

    private static String cell(String s) {
        return s.replace("|", "\\|");
    }
}
