package org.segspark.jobs.config;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigObject;
import com.typesafe.config.ConfigValue;
import org.junit.jupiter.api.Test;
import org.segspark.core.config.Setting;
import org.segspark.core.config.SettingsSection;
import org.segspark.jobs.bench.ExportBenchmark;
import org.segspark.jobs.bench.ModelsBenchmark;
import org.segspark.jobs.bench.PreprocessBenchmark;
import org.segspark.jobs.bench.TrainBenchmark;
import org.segspark.jobs.cli.DemoCommand;
import org.segspark.jobs.cli.NasCommand;
import org.segspark.jobs.cli.PreprocessCommand;
import org.segspark.jobs.cli.TrainCommand;
import org.segspark.jobs.export.ExportJob;
import org.segspark.jobs.nas.SweepJob;
import org.segspark.jobs.predict.PredictJob;
import org.segspark.jobs.preprocess.SynthCocoJob;
import org.segspark.jobs.train.TrainConfig;
import org.segspark.preprocess.cifar.Cifar10Settings;
import org.segspark.preprocess.idx.IdxSettings;
import org.segspark.preprocess.coco.CocoMasksJob;
import org.segspark.preprocess.coco.CocoSettings;
import org.segspark.preprocess.cub.CubSettings;
import org.segspark.preprocess.folder.ImageFolderSettings;
import org.segspark.preprocess.job.ShardSource;
import org.segspark.preprocess.pairs.PairedFolderSettings;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Each declared section matches its conf/ file key for key, and docs/SETTINGS.md is what the declarations say. */
class SettingsDocTest {
    static final List<SettingsSection> DECLARED = List.of(TrainConfig.SECTION, ExportJob.SECTION, PredictJob.SECTION,
            SweepJob.SECTION, CocoSettings.SECTION, Cifar10Settings.SECTION, IdxSettings.SECTION,
            ImageFolderSettings.SECTION, CubSettings.SECTION,
            PairedFolderSettings.SECTION, SynthCocoJob.SECTION, CocoMasksJob.SECTION, DemoCommand.SECTION,
            NasCommand.Demo.SECTION, TrainBenchmark.SECTION, ExportBenchmark.SECTION, ModelsBenchmark.SECTION,
            PreprocessBenchmark.SECTION);

    @Test
    void everyKeyOfTheDefaultsIsDeclaredOnceAndEveryDeclarationHasADefault() {
        for (SettingsSection s : DECLARED) {
            Set<String> inConf = new TreeSet<>();
            leaves(JobConfig.defaults(s).root(), "", inConf, Set.of("model-options.architecture", "grid"));
            List<String> declared = s.keys();
            assertEquals(declared.size(), new TreeSet<>(declared).size(), "a key declared twice in " + s.name());
            assertEquals(inConf, new TreeSet<>(declared), "conf/" + s.name() + ".conf against the declarations");
        }
    }

    @Test
    void settingsPageIsGeneratedFromTheDeclarations() throws Exception {
        Path page = Path.of("..", "docs", "SETTINGS.md");
        String expected = SettingsDoc.markdown(DECLARED);
        if (System.getProperty("segspark.write-docs") != null) {
            Files.writeString(page, expected);
        }
        assertEquals(expected, Files.readString(page),
                "docs/SETTINGS.md is stale: run this test with -Dsegspark.write-docs=true");
    }

    @Test
    void validationNamesTheSettingAndItsRule() {
        Config c = JobConfig.of("train").set(List.of("train.data=d", "train.out=o", "train.epochs=0")).load().section("train");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> TrainConfig.from(c));
        assertEquals("epochs must be >= 1, got 0", e.getMessage());
        Config m = JobConfig.of("train").set(List.of("train.data=d", "train.out=o", "train.mode=fast")).load().section("train");
        e = assertThrows(IllegalArgumentException.class, () -> TrainConfig.from(m));
        assertEquals("mode must be parameter-averaging, gradient-sharing or local, got \"fast\"", e.getMessage());
        Config missing = JobConfig.of("train").set(List.of("train.out=o")).load().section("train");
        e = assertThrows(IllegalArgumentException.class, () -> TrainConfig.from(missing));
        assertEquals("--data is required (setting train.data)", e.getMessage());
    }

    @Test
    void theTrainCommandsOptionsComeFromTheDeclarations() {
        CommandSpec spec = new CommandLine(new TrainCommand()).getCommandSpec();
        for (Setting<?> s : TrainConfig.SECTION.settings()) {
            if (s.optionName() != null) {
                assertTrue(spec.findOption(s.optionName()) != null, s.optionName());
            }
        }
        spec.commandLine().parseArgs("--lr", "0.5", "--epochs", "3", "--freeze-encoder");
        assertEquals(Map.of("train.optimizer.lr", 0.5, "train.epochs", 3, "train.model-options.freeze-encoder", true),
                SettingOptions.given(TrainConfig.SECTION, spec));
    }

    @Test
    void eachPreprocessingSourcesOptionsComeFromItsDeclarations() {
        CommandSpec root = new CommandLine(new PreprocessCommand()).getCommandSpec();
        for (ShardSource source : PreprocessCommand.SOURCES) {
            CommandSpec spec = root.subcommands().get(source.name()).getCommandSpec();
            for (Setting<?> s : source.section().settings()) {
                if (s.optionName() != null) {
                    assertTrue(spec.findOption(s.optionName()) != null, source.name() + " " + s.optionName());
                }
            }
        }
        CommandSpec folders = root.subcommands().get("folders").getCommandSpec();
        root.commandLine().parseArgs("folders", "--class-names", "road,car", "--classes", "2", "--allow-shrink");
        assertEquals(Map.of("preprocess.folders.class-names", List.of("road", "car"), "preprocess.folders.classes", 2,
                "preprocess.folders.allow-shrink", true), SettingOptions.given(PairedFolderSettings.SECTION, folders));
        Config c = JobConfig.of("preprocess-cub").set(List.of("preprocess.cub.input=i", "preprocess.cub.out=o",
                "preprocess.cub.task=detection")).load().section("preprocess.cub");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> CubSettings.SECTION.read(c));
        assertEquals("task must be classification or segmentation, got \"detection\"", e.getMessage());
    }

    private static void leaves(ConfigObject o, String prefix, Set<String> out, Set<String> open) {
        for (Map.Entry<String, ConfigValue> e : o.entrySet()) {
            String key = prefix + e.getKey();
            if (e.getValue() instanceof ConfigObject child && !open.contains(key)) {
                leaves(child, key + ".", out, open);
            } else {
                out.add(key);
            }
        }
    }
}
