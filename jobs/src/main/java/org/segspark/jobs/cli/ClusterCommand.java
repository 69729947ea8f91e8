package org.segspark.jobs.cli;

import org.segspark.jobs.cluster.ClusterJars;

import org.segspark.jobs.cluster.LocalCluster;
import org.segspark.jobs.spark.Sparks;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.io.File;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.Callable;

/** {@code segspark cluster up|status|down}: a Spark standalone cluster on this machine from segspark's jars. */
@Command(name = "cluster", mixinStandardHelpOptions = true,
        description = "A Spark standalone cluster on 127.0.0.1 (Master + Workers) from segspark's own jars; "
                + "jobs reach it with --master spark://127.0.0.1:PORT (printed by 'up' and 'status').",
        subcommands = {ClusterCommand.Up.class, ClusterCommand.Status.class, ClusterCommand.Down.class})
public final class ClusterCommand {

    /** Where the cluster's state, logs and worker folders live. */
    static final class DirOption {
        @Option(names = "--dir", paramLabel = "DIR", description = "Cluster folder (default: ~/.segspark/cluster)")
        File dir;

        Path path() {
            return dir != null ? dir.toPath() : Path.of(System.getProperty("user.home"), ".segspark", "cluster");
        }
    }

    @Command(name = "up", mixinStandardHelpOptions = true,
            footerHeading = "%nExample:%n", footer = "  segspark cluster up --workers 2 --cores 1 --memory 3g",
        description = "Start a Master and N Workers; wait until all registered.")
    static final class Up implements Callable<Integer> {
        @Mixin
        DirOption dir;

        @Option(names = "--workers", paramLabel = "N", defaultValue = "2", description = "Workers (default ${DEFAULT-VALUE})")
        int workers;

        @Option(names = "--cores", paramLabel = "C", defaultValue = "1", description = "Cores per worker (default ${DEFAULT-VALUE})")
        int cores;

        @Option(names = "--memory", paramLabel = "M", defaultValue = "3g", description = "Memory per worker, e.g. 3g (default ${DEFAULT-VALUE})")
        String memory;

        @Override
        public Integer call() throws Exception {
            LocalCluster.State s = LocalCluster.up(dir.path(), sparkJars(), workers, cores, memory, Sparks.jvmOptions(),
                    Duration.ofSeconds(90));
            System.out.printf(Locale.ROOT, "cluster up: %s with %d worker%s of %d core%s and %s (web UI %s); "
                            + "stop it with: segspark cluster down%n", s.masterUrl(), workers, workers == 1 ? "" : "s",
                    cores, cores == 1 ? "" : "s", memory, s.webUi());
            System.out.printf("cluster up: submit with %s/bin/spark-submit --master %s ...; its defaults file is %s/conf/"
                    + "spark-defaults.conf%n", s.sparkHome(), s.masterUrl(), s.sparkHome());
            return 0;
        }
    }

    @Command(name = "status", mixinStandardHelpOptions = true,
            footerHeading = "%nExample:%n", footer = "  segspark cluster status",
        description = "The cluster's master URL, workers and applications (exit 1 if it is not up).")
    static final class Status implements Callable<Integer> {
        @Mixin
        DirOption dir;

        @Override
        public Integer call() throws Exception {
            Optional<LocalCluster.Status> st = LocalCluster.status(dir.path());
            if (st.isEmpty()) {
                System.out.println("cluster: none started from " + dir.path());
                return 1;
            }
            LocalCluster.Status s = st.get();
            if (!s.masterAlive()) {
                System.out.println("cluster: the master recorded in " + dir.path() + " is not running; clean up with: segspark cluster down");
                return 1;
            }
            System.out.printf(Locale.ROOT, "cluster %s: %d of %d workers alive, %d cores (%d in use), %d MB, "
                            + "%d application%s running, %d completed; web UI %s%n", s.state().masterUrl(), s.aliveWorkers(),
                    s.state().workerPids().size(), s.cores(), s.coresUsed(), s.memoryMb(), s.runningApps(),
                    s.runningApps() == 1 ? "" : "s", s.completedApps(), s.state().webUi());
            return s.up() ? 0 : 1;
        }
    }

    @Command(name = "down", mixinStandardHelpOptions = true,
            footerHeading = "%nExample:%n", footer = "  segspark cluster down",
        description = "Stop exactly the Master, Workers and executors 'up' started.")
    static final class Down implements Callable<Integer> {
        @Mixin
        DirOption dir;

        @Override
        public Integer call() throws Exception {
            boolean any = LocalCluster.down(dir.path());
            System.out.println(any ? "cluster down" : "cluster: nothing running from " + dir.path());
            return 0;
        }
    }

    /** The local cluster's SPARK_HOME jars, from the build lists next to the app jar (see the launcher). */
    static List<Path> sparkJars() throws Exception {
        return ClusterJars.fromBuild(Home.dir().toPath().resolve("jobs").resolve("target"));
    }
}
