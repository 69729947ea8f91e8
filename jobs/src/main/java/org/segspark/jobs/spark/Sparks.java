package org.segspark.jobs.spark;

import java.io.File;
import java.net.URISyntaxException;
import java.net.URL;
import java.util.Optional;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigValue;
import org.apache.spark.SparkConf;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.sql.SparkSession;
import org.segspark.models.layers.NativeSpeed;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Starts the Spark session every job runs in. The master is, in order: {@code --master}, what
 * spark-submit set, the config's {@code spark.master} (local[*]). Local runs bind to loopback.
 * Executors get the JVM options segspark needs (Java 17 opens, oneDNN helpers, Aeron timeout),
 * added to the ones the cluster gives them. Under spark-submit the Spark properties, the UI and
 * the logging are the cluster's and the command line's: segspark's {@code spark.conf} defaults
 * apply only to the sessions it starts itself (the launcher, tests).
 */
public final class Sparks {
    private static final AtomicInteger STARTS = new AtomicInteger();
    private Sparks() {
    }

    /** The JVM options from conf/jvm.options (packaged in the jar), comments dropped. */
    public static List<String> jvmOptions() {
        List<String> opts = new ArrayList<>();
        try (InputStream in = Sparks.class.getClassLoader().getResourceAsStream("org/segspark/conf/jvm.options")) {
            if (in == null) {
                throw new IllegalStateException("org/segspark/conf/jvm.options is missing from the classpath");
            }
            BufferedReader r = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8));
            for (String line; (line = r.readLine()) != null; ) {
                line = line.strip();
                if (!line.isEmpty() && !line.startsWith("#")) {
                    opts.add(line);
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return opts;
    }

    /** The system property naming the clock of DL4J's training statistics. */
    public static final String TIME_SOURCE = "org.deeplearning4j.spark.time.TimeSource";

    /**
     * Whether DL4J's training statistics can be collected: every JVM that trains must name their
     * clock (conf/jvm.options does), else DL4J asks pool.ntp.org and the task fails on a closed
     * network. Executors started without segspark's options (an application that uses segspark as
     * a library) lack it.
     */
    public static boolean trainingStatsClock(JavaSparkContext jsc) {
        return jsc.master().startsWith("local") ? System.getProperty(TIME_SOURCE) != null
                : jsc.getConf().get("spark.executor.extraJavaOptions", "").contains("-D" + TIME_SOURCE + "=");
    }

    public static SparkConf conf(Config config, String master) {
        NativeSpeed.enable();
        // The driver side of DL4J's training statistics (executors get it from jvm.options).
        System.setProperty(TIME_SOURCE, "org.deeplearning4j.spark.time.SystemClockTimeSource");
        SparkConf conf = new SparkConf();
        if (master != null && !master.isBlank()) {
            conf.setMaster(master);
        } else if (!conf.contains("spark.master")) {
            conf.setMaster(config.getString("spark.master"));
        }
        conf.setIfMissing("spark.app.name", config.getString("spark.app-name"));
        if (!submitted(conf)) {
            for (Map.Entry<String, ConfigValue> e : config.getConfig("spark.conf").root().entrySet()) {
                conf.setIfMissing(unquote(e.getKey()), String.valueOf(e.getValue().unwrapped()));
            }
        }
        String m = conf.get("spark.master");
        if (m.startsWith("local") || m.startsWith("spark://127.0.0.1:") || m.startsWith("spark://localhost:")) {
            conf.setIfMissing("spark.driver.host", "127.0.0.1");
            conf.setIfMissing("spark.driver.bindAddress", "127.0.0.1");
        }
        if (!m.startsWith("local")) {
            // started by the launcher rather than spark-submit: executors need the app jar too
            appJar().ifPresent(jar -> conf.setIfMissing("spark.jars", jar));
        }
        NativeSpeed.ENVIRONMENT.forEach((k, v) -> conf.setIfMissing("spark.executorEnv." + k, v));
        String existing = conf.get("spark.executor.extraJavaOptions", "");
        StringBuilder opts = new StringBuilder(existing);
        for (String o : jvmOptions()) {
            if (!existing.contains(o)) {
                opts.append(opts.length() == 0 ? "" : " ").append(o);
            }
        }
        if (!existing.contains("javacpp.max") && conf.contains("spark.executor.memoryOverhead")) {
            // ND4J's arrays live off the heap, in the executor's memory overhead: JavaCPP's caps make
            // the executor collect (or fail with a clear OutOfMemoryError) before its container's
            // limit, heap + overhead, has it killed
            long heap = conf.getSizeAsMb("spark.executor.memory", "1g");
            long overhead = conf.getSizeAsMb("spark.executor.memoryOverhead");
            opts.append(" -Dorg.bytedeco.javacpp.maxbytes=").append(Math.max(overhead / 2, overhead - 1024)).append('m')
                    .append(" -Dorg.bytedeco.javacpp.maxphysicalbytes=").append(heap + overhead).append('m');
        }
        conf.set("spark.executor.extraJavaOptions", opts.toString());
        return conf;
    }

    /** The jar this class was loaded from, when it was loaded from one (the app jar). */
    static Optional<String> appJar() {
        try {
            URL u = Sparks.class.getProtectionDomain().getCodeSource().getLocation();
            String path = new File(u.toURI()).getAbsolutePath();
            return path.endsWith(".jar") ? Optional.of(path) : Optional.empty();
        } catch (URISyntaxException | RuntimeException e) {
            return Optional.empty();
        }
    }

    /** Whether spark-submit started this driver (it hands its settings over as system properties). */
    public static boolean submitted(SparkConf conf) {
        return conf.contains("spark.submit.deployMode");
    }

    /** How many times a job has asked for its Spark session in this JVM: a refused command never gets that far. */
    public static int starts() {
        return STARTS.get();
    }

    public static JavaSparkContext start(Config config, String master) {
        STARTS.incrementAndGet();
        SparkConf conf = conf(config, master);
        SparkSession session = SparkSession.builder().config(conf).getOrCreate();
        JavaSparkContext jsc = JavaSparkContext.fromSparkContext(session.sparkContext());
        if (!submitted(conf)) {
            jsc.setLogLevel(System.getProperty("segspark.spark.log", "WARN"));
        }
        return jsc;
    }

    /**
     * The {@code -Dkey=value} lines of conf/jvm.options as this JVM's system properties, where not
     * set: a driver started by spark-submit did not get segspark's JVM options, and DL4J reads
     * these (its oneDNN helpers, Aeron's timeout) when it first needs them, after main starts.
     */
    public static void driverProperties() {
        for (String o : jvmOptions()) {
            int eq = o.indexOf('=');
            if (o.startsWith("-D") && eq > 2 && System.getProperty(o.substring(2, eq)) == null) {
                System.setProperty(o.substring(2, eq), o.substring(eq + 1));
            }
        }
    }

    /**
     * The task slots the job's executors give, once they have registered: a job starts before its
     * executors do, and Spark's parallelism counts only the registered ones (at least 2). Waits up
     * to {@code timeout} for the cores the job asked for ({@code spark.cores.max}, or
     * {@code spark.executor.instances} x {@code spark.executor.cores}); without such a request, or
     * under a local master, it takes the parallelism as it is.
     */
    public static int awaitTaskSlots(JavaSparkContext jsc, Duration timeout) throws InterruptedException {
        SparkConf conf = jsc.getConf();
        int asked = conf.getInt("spark.cores.max", 0);
        if (asked == 0 && conf.contains("spark.executor.instances") && conf.contains("spark.executor.cores")) {
            asked = conf.getInt("spark.executor.instances", 0) * conf.getInt("spark.executor.cores", 1);
        }
        long end = System.nanoTime() + timeout.toNanos();
        while (!jsc.master().startsWith("local") && jsc.defaultParallelism() < asked && System.nanoTime() < end) {
            Thread.sleep(250);
        }
        return jsc.defaultParallelism();
    }

    private static String unquote(String key) {
        return key.startsWith("\"") && key.endsWith("\"") ? key.substring(1, key.length() - 1) : key;
    }
}
