package org.segspark.jobs.cli;

import org.apache.spark.api.java.JavaSparkContext;
import org.segspark.core.config.SettingsSection;
import org.segspark.jobs.config.JobConfig;
import org.segspark.jobs.config.SectionCommand;
import org.segspark.jobs.config.SettingOptions;
import org.segspark.jobs.preprocess.PreprocessJob;
import org.segspark.jobs.spark.Sparks;
import org.segspark.preprocess.cifar.Cifar10Settings;
import org.segspark.preprocess.idx.IdxSettings;
import org.segspark.preprocess.coco.CocoSettings;
import org.segspark.preprocess.cub.CubSettings;
import org.segspark.preprocess.folder.ImageFolderSettings;
import org.segspark.preprocess.job.ShardSettings;
import org.segspark.preprocess.job.ShardSource;
import org.segspark.preprocess.pairs.PairedFolderSettings;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;
import picocli.CommandLine;

import java.util.List;
import java.util.concurrent.Callable;

/** {@code segspark preprocess SOURCE}: one subcommand per source; each one's options come from its declared settings. */
@Command(name = "preprocess", mixinStandardHelpOptions = true,
        description = "Turn a data set into Parquet tensor shards with a manifest (docs/SHARD_FORMAT.md).",
        subcommands = {PreprocessCommand.Coco.class, PreprocessCommand.Cifar10.class, PreprocessCommand.Idx.class,
                PreprocessCommand.ImageFolder.class,
                PreprocessCommand.Cub.class, PreprocessCommand.Folders.class})
public final class PreprocessCommand implements Runnable {
    public static final List<ShardSource> SOURCES = List.of(CocoSettings.SOURCE, Cifar10Settings.SOURCE, IdxSettings.SOURCE,
            ImageFolderSettings.SOURCE, CubSettings.SOURCE, PairedFolderSettings.SOURCE);

    @Override
    public void run() {
        throw new ParameterException(new CommandLine(this),
                "name a source: coco, cifar10, idx, imagefolder, cub or folders (segspark preprocess coco --help)");
    }

    /** A source's subcommand: its settings' options, --size for height and width, and the shard job. */
    abstract static class SourceCommand implements Callable<Integer>, SectionCommand {
        @Mixin
        CommonOptions common;

        @Spec
        CommandSpec spec;

        @Option(names = "--size", paramLabel = "HxW", description = "Tensor height x width, e.g. 128x128")
        String size;

        abstract ShardSource source();

        @Override
        public SettingsSection section() {
            return source().section();
        }

        @Override
        public Integer call() throws Exception {
            ShardSource source = source();
            SettingsSection section = source.section();
            String prefix = section.name() + ".";
            int[] hw = Sizes.parse(size, "--size");
            JobConfig cfg = JobConfig.of("preprocess-" + source.name()).file(common.config).set(common.set)
                    .options(SettingOptions.given(section, spec))
                    .option(prefix + ShardSettings.HEIGHT.key(), hw == null ? null : hw[0])
                    .option(prefix + ShardSettings.WIDTH.key(), hw == null ? null : hw[1])
                    .option(prefix + ShardSettings.FORCE.key(), common.forced()).load();
            SettingsSection.Values settings = PreprocessJob.settings(cfg, source);
            JavaSparkContext jsc = Sparks.start(cfg.get(), common.master);
            PreprocessJob.run(jsc, cfg, source, settings, System.out);
            return 0;
        }
    }

    @Command(name = "coco", mixinStandardHelpOptions = true,
            footerHeading = "%nExample:%n", footer = {"  segspark preprocess coco --annotations coco/annotations/instances.json \\",
                    "      --images coco/images --out shards --size 128x128"},
            modelTransformer = SettingOptions.FromSection.class,
            description = "COCO instances JSON + images -> segmentation shards. Executors read the images themselves; "
                    + "unusable inputs go to rejects.csv and inputs = written + rejected is checked.")
    static final class Coco extends SourceCommand {
        @Override
        ShardSource source() {
            return CocoSettings.SOURCE;
        }
    }

    @Command(name = "cifar10", mixinStandardHelpOptions = true,
            footerHeading = "%nExample:%n", footer = {"  segspark preprocess cifar10 --input cifar-10-batches-bin \\",
                    "      --out cifar-shards --size 32x32"},
            modelTransformer = SettingOptions.FromSection.class,
            description = "CIFAR-10's official binary batches (data_batch_1..5.bin -> train, test_batch.bin -> val; "
                    + "3073-byte records) -> classification shards.")
    static final class Cifar10 extends SourceCommand {
        @Override
        ShardSource source() {
            return Cifar10Settings.SOURCE;
        }
    }

    @Command(name = "idx", mixinStandardHelpOptions = true,
            footerHeading = "%nExample:%n", footer = {
                    "  segspark preprocess idx --dataset fashion-mnist \\",
                    "      --images /usr/share/datasets/fashion-mnist/train-images-idx3-ubyte.gz \\",
                    "      --labels /usr/share/datasets/fashion-mnist/train-labels-idx1-ubyte.gz \\",
                    "      --test-images /usr/share/datasets/fashion-mnist/t10k-images-idx3-ubyte.gz \\",
                    "      --test-labels /usr/share/datasets/fashion-mnist/t10k-labels-idx1-ubyte.gz \\",
                    "      --out fashion-shards --size 32x32"},
            modelTransformer = SettingOptions.FromSection.class,
            description = "An MNIST-family IDX pair (MNIST, Fashion-MNIST, KMNIST; gzipped or not) -> classification "
                    + "shards, grey as three equal channels; the test pair is the val split.")
    static final class Idx extends SourceCommand {
        @Override
        ShardSource source() {
            return IdxSettings.SOURCE;
        }
    }

    @Command(name = "imagefolder", mixinStandardHelpOptions = true,
            footerHeading = "%nExample:%n", footer = {"  segspark preprocess imagefolder --images flowers --out flower-shards \\",
                    "      --size 224x224"},
            modelTransformer = SettingOptions.FromSection.class,
            description = "A class-per-folder tree (ROOT/<class>/<image>, or ROOT/train/<class>/... with val/ or test/) "
                    + "-> classification shards; class indices follow the sorted folder names.")
    static final class ImageFolder extends SourceCommand {
        @Override
        ShardSource source() {
            return ImageFolderSettings.SOURCE;
        }
    }

    @Command(name = "cub", mixinStandardHelpOptions = true,
            footerHeading = "%nExample:%n", footer = {"  segspark preprocess cub --input CUB_200_2011 --out cub-shards \\",
                    "      --size 128x128 --task segmentation"},
            modelTransformer = SettingOptions.FromSection.class,
            description = "CUB-200-2011 in its official layout -> segmentation shards (background / bird from the soft "
                    + "masks, thresholded) or classification shards (200 species); the official train/test split.")
    static final class Cub extends SourceCommand {
        @Override
        ShardSource source() {
            return CubSettings.SOURCE;
        }
    }

    @Command(name = "folders", mixinStandardHelpOptions = true,
            footerHeading = "%nExample:%n", footer = {"  segspark preprocess folders --images images --masks masks --out shards \\",
                    "      --size 256x256 --mask-map 1=1,2=0,3=255"},
            modelTransformer = SettingOptions.FromSection.class,
            description = "An image folder and a mask folder, matched by path without extension, -> segmentation "
                    + "shards; mask values become classes through --mask-map (255 = ignore).")
    static final class Folders extends SourceCommand {
        @Override
        ShardSource source() {
            return PairedFolderSettings.SOURCE;
        }
    }
}
