package org.segspark.jobs.config;

import org.segspark.core.config.SettingsSection;

/**
 * A command whose options are its section's declared settings: name
 * {@link SettingOptions.FromSection} as the command's model transformer.
 */
public interface SectionCommand {
    SettingsSection section();
}
