package org.segspark.jobs.spark;

import org.apache.logging.log4j.Level;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.core.LoggerContext;
import org.apache.logging.log4j.core.config.Configuration;
import org.apache.logging.log4j.core.config.ConfigurationSource;
import org.apache.logging.log4j.core.config.DefaultConfiguration;
import org.apache.logging.log4j.core.config.Configurator;

/**
 * The driver's log levels when nobody chose them. A stock Spark distribution without a
 * conf/log4j2.properties logs at INFO from Spark's built-in defaults (about 40 lines before a job
 * prints anything of its own); segspark then logs as its own conf/log4j2.properties does: Spark,
 * Hadoop and DL4J at WARN (Hadoop's note that it runs without its native library not at all),
 * segspark at INFO. A logging configuration the cluster or the user gave
 * is left as it is.
 */
public final class DriverLogging {
    /** Where Spark keeps the configuration it falls back on. */
    static final String SPARK_DEFAULTS = "org/apache/spark/log4j2-defaults.properties";

    private DriverLogging() {
    }

    /** Whether log4j2 runs on Spark's fallback configuration (or on none at all). */
    public static boolean unconfigured() {
        if (!(LogManager.getContext(false) instanceof LoggerContext context)) {
            return false;       // another logging back end: its owner configured it
        }
        Configuration c = context.getConfiguration();
        ConfigurationSource source = c.getConfigurationSource();
        String where = source == null ? null : source.getLocation();
        if (where != null) {
            return where.endsWith(SPARK_DEFAULTS);
        }
        // no file: log4j2's own fallback configuration (named Default@...) or one built in code
        return c instanceof DefaultConfiguration || c.getName() != null && c.getName().startsWith("Default@");
    }

    /** segspark's levels, unless someone configured logging. */
    public static void quietUnlessConfigured() {
        if (unconfigured()) {
            Configurator.setRootLevel(Level.WARN);
            Configurator.setLevel("org.segspark", Level.INFO);
            Configurator.setLevel("org.apache.hadoop.util.NativeCodeLoader", Level.ERROR);
        }
    }
}
