package org.segspark.jobs.config;

import picocli.CommandLine.Model.CommandSpec;

/** Options renamed in this release: the old spelling still works for one release and says what replaced it. */
public final class Deprecation {
    private Deprecation() {
    }

    /** One line on standard error: the old option, the new one, and that the old one goes in the next release. */
    public static void warn(CommandSpec spec, String oldOption, String newOption) {
        spec.commandLine().getErr().println(spec.qualifiedName() + ": "
                + oldOption + " is deprecated and goes in the next release; use " + newOption);
    }
}
