package org.segspark.jobs.cli;

import com.typesafe.config.Config;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.segspark.core.config.Setting;
import org.segspark.jobs.CliRun;
import org.segspark.jobs.Main;
import org.segspark.jobs.config.SectionCommand;
import org.segspark.jobs.config.JobConfig;
import org.segspark.jobs.spark.Sparks;
import picocli.CommandLine;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/** Every command's --help, walked: one option vocabulary, defaults shown, required options marked, a working example. */
class HelpTest {
    /** What an option's value is, by the option's name: the vocabulary every command shares. */
    private static final Map<String, String> LABELS = Map.of("--data", "SHARDS", "--val-data", "SHARDS", "--run", "RUN",
            "--model", "NAME", "--size", "HxW", "--images", "DIR", "--masks", "DIR");
    /** Where a command's data is files, not folders: an IDX data set is one file per array. */
    private static final Map<String, Map<String, String>> OWN_LABELS = Map.of("segspark preprocess idx",
            Map.of("--images", "FILE"));
    /** The options that may take a run folder or a shard set: the vocabulary's names, and --out of the command writing one. */
    private static final Map<String, Set<String>> NAMES_BY_LABEL = Map.of(
            "RUN", Set.of("--run", "--out", "--resume", "--search"),
            "SHARDS", Set.of("--data", "--val-data", "--out"));

    static List<CommandLine> commands() {
        List<CommandLine> leaves = new ArrayList<>();
        collect(new CommandLine(new Main()), leaves);
        return leaves;
    }

    private static void collect(CommandLine c, List<CommandLine> leaves) {
        if (c.getSubcommands().isEmpty()) {
            if (!c.getCommandName().equals("help")) {
                leaves.add(c);
            }
            return;
        }
        // a parent's subcommands map holds aliases too: visit each command once
        c.getSubcommands().values().stream().distinct().forEach(s -> collect(s, leaves));
    }

    private static String name(CommandLine c) {
        return c.getCommandSpec().qualifiedName();
    }

    @Test
    void everyCommandIsWalked() {
        List<String> names = commands().stream().map(HelpTest::name).toList();
        assertTrue(names.size() >= 27, names.toString());
        assertTrue(names.containsAll(List.of("segspark train", "segspark preprocess coco", "segspark nas sweep",
                "segspark shards preview", "segspark bench train", "segspark cluster up")), names.toString());
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("commands")
    void helpEndsWithAnExampleThatParses(CommandLine c) {
        String usage = c.getUsageMessage();
        int at = usage.lastIndexOf("Example:\n");
        assertTrue(at > 0, name(c) + " has no example:\n" + usage);
        String[] lines = usage.substring(at + "Example:\n".length()).strip().split("\n");
        StringBuilder example = new StringBuilder();
        for (String line : lines) {
            assertTrue(line.length() <= 80, name(c) + ": example line wider than a terminal: " + line);
            example.append(line.replaceFirst("\\\\$", "").strip()).append(' ');
        }
        String text = example.toString().strip();
        assertTrue(text.startsWith(name(c) + " ") || text.equals(name(c)), name(c) + ": the example runs another command: " + text);
        String[] args = text.substring("segspark".length()).strip().split("\\s+");
        try {
            new CommandLine(new Main()).parseArgs(args);
        } catch (CommandLine.ParameterException e) {
            fail(name(c) + ": its example does not parse: " + text + ": " + e.getMessage());
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("commands")
    void optionsSpeakOneVocabulary(CommandLine c) {
        for (OptionSpec o : c.getCommandSpec().options()) {
            if (o.hidden()) {
                continue;
            }
            String label = o.paramLabel();
            String expected = OWN_LABELS.getOrDefault(name(c), Map.of()).getOrDefault(o.longestName(),
                    LABELS.get(o.longestName()));
            if (expected != null) {
                assertTrue(label.equals(expected) || label.startsWith(expected + "|"),
                        name(c) + " " + o.longestName() + " takes " + label + ", everywhere else " + expected);
            }
            Set<String> allowed = NAMES_BY_LABEL.get(label);
            if (allowed != null) {
                assertTrue(allowed.contains(o.longestName()), name(c) + " " + o.longestName() + " takes a " + label
                        + ": name it one of " + allowed);
            }
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("commands")
    void helpShowsDefaultsAndMarksRequiredOptions(CommandLine c) {
        CommandSpec spec = c.getCommandSpec();
        for (OptionSpec o : spec.options()) {
            String help = String.join(" ", o.description());
            if (o.hidden() || o.usageHelp() || o.versionHelp()) {
                continue;
            }
            if (o.required()) {
                assertTrue(help.contains("(required)"), name(c) + " " + o.longestName() + " is required but not marked: " + help);
            }
            if (o.defaultValue() != null && !o.defaultValue().isEmpty() && !"false".equals(o.defaultValue())) {
                assertTrue(help.contains("default"), name(c) + " " + o.longestName() + " hides its default: " + help);
            }
        }
        if (spec.userObject() instanceof SectionCommand command) {
            Config defaults = JobConfig.defaults(command.section());
            for (Setting<?> s : command.section().settings()) {
                if (s.optionName() == null) {
                    continue;
                }
                String help = String.join(" ", spec.findOption(s.optionName()).description());
                if (s.isRequired()) {
                    assertTrue(help.contains("(required)"), name(c) + " " + s.optionName() + " is required but not marked");
                } else if (defaults.hasPath(s.key()) && shown(defaults.getValue(s.key()).unwrapped())) {
                    assertTrue(help.contains("default"), name(c) + " " + s.optionName() + " hides its default: " + help);
                }
            }
        }
    }

    /** A default worth a note: not a flag that is off, a nested object, or an empty list. */
    private static boolean shown(Object value) {
        return !(value instanceof Boolean b && !b) && !(value instanceof Map) && !(value instanceof List<?> l && l.isEmpty());
    }

    @Test
    void renamedOptionsStillWorkForOneReleaseAndSayWhatReplacedThem() {
        CliRun r = CliRun.of("synth-coco", "--images", "3");
        assertTrue(r.err().contains("--images is deprecated and goes in the next release; use --image-count"), r.err());
        assertTrue(r.err().contains("--out is required"), r.err());
        for (String[] renamed : List.of(new String[] {"evaluate", "--model", "--run"},
                new String[] {"predict", "--model", "--run"}, new String[] {"preprocess imagefolder", "--input", "--images"},
                new String[] {"bench train", "--spark-workers", "--workers"}, new String[] {"shards preview", "--count", "--examples"},
                new String[] {"demo", "--images", "--image-count"})) {
            CommandLine c = commands().stream().filter(x -> name(x).equals("segspark " + renamed[0])).findFirst().orElseThrow();
            OptionSpec old = c.getCommandSpec().findOption(renamed[1]);
            assertNotNull(old, renamed[0] + " no longer accepts " + renamed[1]);
            assertTrue(old.hidden(), renamed[0] + " still advertises " + renamed[1]);
            assertFalse(c.getCommandSpec().findOption(renamed[2]).hidden(), renamed[0] + " " + renamed[2]);
        }
    }

    /** Missing or refused options: exit 2 with the option's name, before the command asks for its Spark session, in well under 2 s. */
    @ParameterizedTest(name = "{0}")
    @MethodSource("refusals")
    void aMissingOrRefusedOptionFailsBeforeSparkStarts(String expected, String[] args) {
        int starts = Sparks.starts();
        long t0 = System.nanoTime();
        CliRun r = CliRun.of(args);
        double seconds = (System.nanoTime() - t0) / 1e9;
        assertEquals(2, r.code(), String.join(" ", args));
        assertTrue(r.err().contains(expected), String.join(" ", args) + " -> " + r.err());
        assertEquals(1, r.err().strip().lines().count(), "one line: " + r.err());
        assertEquals(starts, Sparks.starts(), String.join(" ", args) + " asked for Spark before refusing");
        assertTrue(seconds < 2, String.join(" ", args) + " took " + seconds + " s");
    }

    static Stream<Object[]> refusals() {
        return Stream.of(
                new Object[] {"--out is required", new String[] {"synth-coco"}},
                new Object[] {"--annotations is required", new String[] {"coco-masks", "--out", "/tmp/x"}},
                new Object[] {"--annotations is required", new String[] {"preprocess", "coco", "--out", "/tmp/x"}},
                new Object[] {"--input is required", new String[] {"preprocess", "cifar10", "--out", "/tmp/x"}},
                new Object[] {"--images is required", new String[] {"preprocess", "imagefolder", "--out", "/tmp/x"}},
                new Object[] {"--input is required", new String[] {"preprocess", "cub", "--out", "/tmp/x"}},
                new Object[] {"--images is required", new String[] {"preprocess", "folders", "--out", "/tmp/x"}},
                new Object[] {"--data is required", new String[] {"train", "--out", "/tmp/x"}},
                new Object[] {"--out is required", new String[] {"train", "--data", "/tmp/x"}},
                new Object[] {"epochs must be >= 1", new String[] {"train", "--data", "/tmp/x", "--out", "/tmp/y", "--epochs", "0"}},
                new Object[] {"mode must be parameter-averaging, gradient-sharing or local", new String[] {"train", "--data", "/tmp/x", "--out", "/tmp/y", "--mode", "bogus"}},
                new Object[] {"--run is required", new String[] {"evaluate", "--data", "/tmp/x"}},
                new Object[] {"--run is required", new String[] {"predict", "--images", "/tmp/x", "--out", "/tmp/y"}},
                new Object[] {"--run is required", new String[] {"export", "--out", "/tmp/x.onnx"}},
                new Object[] {"--data", new String[] {"shards", "verify"}},
                new Object[] {"--out", new String[] {"nas", "prune", "--run", "/tmp/x"}},
                new Object[] {"--out", new String[] {"nas", "run"}},
                new Object[] {"--size must look like", new String[] {"synth-coco", "--out", "/tmp/x", "--size", "big"}},
                new Object[] {"did you mean --epochs?", new String[] {"train", "--epohcs", "3"}});
    }
}
