package org.segspark.jobs.cli;

import picocli.CommandLine.Option;

import java.io.File;
import java.util.List;

/** Options every job command takes. */
public final class CommonOptions {
    @Option(names = "--config", paramLabel = "FILE", description = "HOCON file whose settings override the defaults in conf/")
    File config;

    @Option(names = "--set", paramLabel = "KEY=VALUE", description = "Override any setting, e.g. --set train.optimizer.lr=3e-4 (repeatable)")
    List<String> set;

    @Option(names = "--master", paramLabel = "URL", description = "Spark master (default: what spark-submit set, else local[*])")
    String master;

    @Option(names = "--force", description = "Write into a non-empty output folder that holds something else "
            + "(segspark still deletes only files it wrote)")
    boolean force;

    /** The --force flag as a setting layer: true, or null to leave the configuration's value. */
    Boolean forced() {
        return force ? Boolean.TRUE : null;
    }
}
