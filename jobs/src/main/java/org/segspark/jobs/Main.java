package org.segspark.jobs;

import org.segspark.jobs.cli.BenchCommand;
import org.segspark.jobs.cli.ClusterCommand;
import org.segspark.jobs.cli.CocoMasksCommand;
import org.segspark.jobs.cli.NasCommand;
import org.segspark.jobs.cli.ShardsCommand;
import org.segspark.jobs.cli.DemoCommand;
import org.segspark.jobs.cli.EvaluateCommand;
import org.segspark.jobs.cli.ModelsCommand;
import org.segspark.jobs.cli.ExportCommand;
import org.segspark.jobs.cli.PredictCommand;
import org.segspark.jobs.cli.PreprocessCommand;
import org.segspark.jobs.cli.SynthCocoCommand;
import org.segspark.jobs.cli.TrainCommand;
import org.segspark.jobs.spark.DriverLogging;
import org.segspark.jobs.spark.Sparks;
import com.typesafe.config.ConfigException;
import org.segspark.core.BuildInfo;
import org.segspark.preprocess.coco.CocoFormatException;
import org.segspark.core.io.BadInputException;
import org.segspark.core.shards.UnsupportedShardFormatException;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.UnmatchedArgumentException;

import java.io.FileNotFoundException;

/** The segspark command line; also the main class of the spark-submit jar. */
@Command(name = "segspark", mixinStandardHelpOptions = true, versionProvider = Main.Version.class,
        description = "Train segmentation and classification CNNs, and search for smaller ones, data-parallel on Spark.",
        footerHeading = "%n",
        footer = {"Exit codes: 0 success; 2 a usage or input error (one line on standard error naming the option, file or "
                + "setting and the reason); 1 an internal failure (with its stack trace).",
                "", "Example:", "  segspark demo --out demo-out"},
        subcommands = {SynthCocoCommand.class, CocoMasksCommand.class, PreprocessCommand.class, TrainCommand.class, NasCommand.class, ShardsCommand.class,
                DemoCommand.class, BenchCommand.class, ModelsCommand.class, ClusterCommand.class, EvaluateCommand.class,
                PredictCommand.class, ExportCommand.class,
                CommandLine.HelpCommand.class})
public final class Main implements Runnable {

    @Override
    public void run() {
        new CommandLine(this).usage(System.out);
    }

    /**
     * Runs a command line and returns the exit code: 0 success, 2 bad usage or input (one line on
     * standard error naming the file or setting and the reason), 1 an internal failure (with its trace).
     */
    public static int execute(String... args) {
        CommandLine cli = new CommandLine(new Main());
        // one line naming the command, the option and a way on, not the whole usage text
        cli.setParameterExceptionHandler((e, given) -> {
            CommandLine cmd = e.getCommandLine();
            String name = cmd.getCommandSpec().qualifiedName();
            String hint = e instanceof UnmatchedArgumentException u && !u.getSuggestions().isEmpty()
                    ? "; did you mean " + String.join(" or ", u.getSuggestions()) + "?" : "";
            cmd.getErr().println(name + ": " + e.getMessage() + hint + " (" + name + " --help lists the options)");
            return 2;
        });
        cli.setExecutionExceptionHandler((e, cmd, parsed) -> {
            Throwable user = userError(e);
            if (user != null) {
                cmd.getErr().println(cmd.getCommandSpec().qualifiedName() + ": " + user.getMessage());
                return 2;
            }
            throw e;
        });
        return cli.execute(args);
    }

    /**
     * The error a user caused, found anywhere in the cause chain: Spark wraps what failed in a task
     * (a damaged shard file read by an executor) in its own exceptions.
     */
    static Throwable userError(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (t instanceof IllegalArgumentException || t instanceof FileNotFoundException
                    || t instanceof CocoFormatException || t instanceof UnsupportedShardFormatException
                    || t instanceof BadInputException || t instanceof ConfigException) {
                return t;
            }
        }
        return null;
    }

    public static void main(String[] args) {
        Sparks.driverProperties();
        DriverLogging.quietUnlessConfigured();
        int code = execute(args);
        System.exit(code);
    }

    /** Version and commit of this build. */
    public static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            return new String[] {"segspark " + BuildInfo.version() + " (git " + BuildInfo.gitCommit() + ")"};
        }
    }
}
