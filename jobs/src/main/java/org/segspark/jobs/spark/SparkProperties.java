package org.segspark.jobs.spark;

import org.apache.spark.SparkConf;
import scala.Tuple2;

import java.util.Arrays;
import java.util.Comparator;
import java.util.regex.Pattern;

/**
 * A session's Spark properties as a run records them (RUN/spark.properties): what the run really
 * ran with, the cluster's defaults and spark-submit's options included. Values of keys that look
 * like credentials are replaced, as Spark's own UI does ({@code spark.redaction.regex}).
 */
public final class SparkProperties {
    /** Spark's default {@code spark.redaction.regex}. */
    static final String REDACT = "(?i)secret|password|token|access[.]key";

    private SparkProperties() {
    }

    public static String text(SparkConf conf) {
        Pattern secret = Pattern.compile(conf.get("spark.redaction.regex", REDACT));
        StringBuilder b = new StringBuilder("# the Spark properties of the session this run trained in\n");
        Arrays.stream(conf.getAll()).sorted(Comparator.comparing((Tuple2<String, String> t) -> t._1())).forEach(t ->
                b.append(t._1()).append('=')
                        .append(secret.matcher(t._1()).find() ? "*********(redacted)" : t._2().replace("\n", "\\n"))
                        .append('\n'));
        return b.toString();
    }
}
