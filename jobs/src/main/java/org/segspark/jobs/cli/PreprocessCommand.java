package org.segspark.jobs.cli;

import java.util.List;

import org.apache.spark.api.java.JavaSparkContext;
import org.segspark.jobs.config.JobConfig;
import org.segspark.jobs.preprocess.PreprocessJob;
import org.segspark.jobs.spark.Sparks;
import org.segspark.preprocess.cifar.Cifar10ShardJob;
import org.segspark.preprocess.image.Resize;
import org.segspark.preprocess.job.ShardJobOptions;
import org.segspark.preprocess.cub.CubShardConfig;
import org.segspark.preprocess.cub.CubShardJob;
import org.segspark.preprocess.folder.ImageFolderShardJob;
import org.segspark.preprocess.pairs.MaskMapping;
import org.segspark.preprocess.pairs.PairedShardJob;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.util.concurrent.Callable;

@Command(name = "preprocess", mixinStandardHelpOptions = true,
        description = "Turn a data set into Parquet tensor shards with a manifest (docs/SHARD_FORMAT.md).",
        subcommands = {PreprocessCommand.Coco.class, PreprocessCommand.Cifar10.class, PreprocessCommand.ImageFolder.class,
                PreprocessCommand.Cub.class, PreprocessCommand.Folders.class})
public final class PreprocessCommand implements Runnable {
    @Override
    public void run() {
        throw new picocli.CommandLine.ParameterException(new picocli.CommandLine(this),
                "name a source: coco, cifar10, imagefolder, cub or folders (segspark preprocess coco --help)");
    }

    @Command(name = "coco", mixinStandardHelpOptions = true,
            description = "COCO instances JSON + images -> segmentation shards. Executors read the images themselves; "
                    + "unusable inputs go to rejects.csv and inputs = written + rejected is checked.")
    public static final class Coco implements Callable<Integer> {
        @Mixin
        CommonOptions common;

        @Option(names = "--allow-shrink", description = "Let this run replace the shard set with less than half its "
                + "examples (otherwise it fails and keeps the set: an emptied or unmounted input looks like that)")
        boolean allowShrink;

        @Option(names = "--annotations", paramLabel = "FILE", description = "COCO instances JSON")
        String annotations;

        @Option(names = "--images", paramLabel = "DIR", description = "Folder the JSON's file names are relative to")
        String images;

        @Option(names = "--out", paramLabel = "SHARDS", description = "Shard set folder (any Hadoop URI)")
        String out;

        @Option(names = "--size", paramLabel = "HxW", description = "Tensor height x width, e.g. 128x128")
        String size;

        @Option(names = "--mapping", paramLabel = "NAME|FILE", description = "categories, coco4, or a mapping JSON file")
        String mapping;

        @Option(names = "--val-fraction", paramLabel = "F", description = "Share of images in the val split")
        Double valFraction;

        @Override
        public Integer call() throws Exception {
            int[] hw = Sizes.parse(size, "--size");
            JobConfig cfg = JobConfig.of("preprocess-coco").file(common.config).set(common.set)
                    .option("preprocess.coco.annotations", annotations).option("preprocess.coco.images", images)
                    .option("preprocess.coco.out", out).option("preprocess.coco.mapping", mapping)
                    .option("preprocess.coco.val-fraction", valFraction)
                    .option("preprocess.coco.height", hw == null ? null : hw[0])
                    .option("preprocess.coco.width", hw == null ? null : hw[1])
                    .option("preprocess.coco.force", common.forced()).option("preprocess.coco.allow-shrink", allowShrink ? true : null)
                    .load();
            JavaSparkContext jsc = Sparks.start(cfg.get(), common.master);
            PreprocessJob.run(jsc, cfg, System.out);
            return 0;
        }
    }

    @Command(name = "cifar10", mixinStandardHelpOptions = true,
            description = "CIFAR-10's official binary batches (data_batch_1..5.bin -> train, test_batch.bin -> val; "
                    + "3073-byte records) -> classification shards.")
    public static final class Cifar10 implements Callable<Integer> {
        @Mixin
        CommonOptions common;

        @Option(names = "--allow-shrink", description = "Let this run replace the shard set with less than half its "
                + "examples (otherwise it fails and keeps the set: an emptied or unmounted input looks like that)")
        boolean allowShrink;

        @Option(names = "--input", paramLabel = "DIR", description = "Folder holding the .bin files")
        String input;

        @Option(names = "--out", paramLabel = "SHARDS", description = "Shard set folder (any Hadoop URI)")
        String out;

        @Option(names = "--size", paramLabel = "HxW", description = "Tensor height x width (default 32x32, as stored)")
        String size;

        @Override
        public Integer call() throws Exception {
            JobConfig cfg = layers("preprocess-cifar10", "preprocess.cifar10", common, input, out, size, allowShrink).load();
            PreprocessJob.run(Sparks.start(cfg.get(), common.master), cfg, "cifar10", (jsc, c, tree) -> Cifar10ShardJob.run(jsc,
                    ShardJobOptions.required(c, "input"), ShardJobOptions.from(c, ShardJobOptions.required(c, "out")),
                    tree), System.out);
            return 0;
        }
    }

    @Command(name = "imagefolder", mixinStandardHelpOptions = true,
            description = "A class-per-folder tree (ROOT/<class>/<image>, or ROOT/train/<class>/... with val/ or test/) "
                    + "-> classification shards; class indices follow the sorted folder names.")
    public static final class ImageFolder implements Callable<Integer> {
        @Mixin
        CommonOptions common;

        @Option(names = "--allow-shrink", description = "Let this run replace the shard set with less than half its "
                + "examples (otherwise it fails and keeps the set: an emptied or unmounted input looks like that)")
        boolean allowShrink;

        @Option(names = "--input", paramLabel = "DIR", description = "Root of the tree")
        String input;

        @Option(names = "--out", paramLabel = "SHARDS", description = "Shard set folder (any Hadoop URI)")
        String out;

        @Option(names = "--size", paramLabel = "HxW", description = "Tensor height x width, e.g. 224x224")
        String size;

        @Option(names = "--val-fraction", paramLabel = "F", description = "Flat layout: share of images in val")
        Double valFraction;

        @Override
        public Integer call() throws Exception {
            JobConfig cfg = layers("preprocess-imagefolder", "preprocess.imagefolder", common, input, out, size, allowShrink)
                    .option("preprocess.imagefolder.val-fraction", valFraction).load();
            PreprocessJob.run(Sparks.start(cfg.get(), common.master), cfg, "imagefolder", (jsc, c, tree) -> {
                double vf = c.getDouble("val-fraction");
                if (vf < 0 || vf >= 1) {
                    throw new IllegalArgumentException("val-fraction must be in [0, 1), got " + vf);
                }
                return ImageFolderShardJob.run(jsc, ShardJobOptions.required(c, "input"),
                        ShardJobOptions.from(c, ShardJobOptions.required(c, "out")),
                        Resize.Aspect.parse(c.getString("aspect")), vf, c.getLong("split-seed"),
                        c.getLong("max-pixels"), tree);
            }, System.out);
            return 0;
        }
    }

    @Command(name = "cub", mixinStandardHelpOptions = true,
            description = "CUB-200-2011 in its official layout -> segmentation shards (background / bird from the soft "
                    + "masks, thresholded) or classification shards (200 species); the official train/test split.")
    public static final class Cub implements Callable<Integer> {
        @Mixin
        CommonOptions common;

        @Option(names = "--allow-shrink", description = "Let this run replace the shard set with less than half its "
                + "examples (otherwise it fails and keeps the set: an emptied or unmounted input looks like that)")
        boolean allowShrink;

        @Option(names = "--input", paramLabel = "DIR", description = "The CUB_200_2011 folder")
        String input;

        @Option(names = "--segmentations", paramLabel = "DIR",
                description = "The masks (default: segmentations/ next to or inside the input)")
        String segmentations;

        @Option(names = "--out", paramLabel = "SHARDS", description = "Shard set folder (any Hadoop URI)")
        String out;

        @Option(names = "--size", paramLabel = "HxW", description = "Tensor height x width, e.g. 256x256")
        String size;

        @Option(names = "--task", paramLabel = "TASK", description = "segmentation (default) or classification")
        String task;

        @Option(names = "--mask-threshold", paramLabel = "LEVEL", description = "Grey level from which a mask pixel is bird (1..255)")
        Integer maskThreshold;

        @Option(names = "--crop-to-box", description = "Crop to bounding_boxes.txt before resizing")
        boolean cropToBox;

        @Override
        public Integer call() throws Exception {
            JobConfig cfg = layers("preprocess-cub", "preprocess.cub", common, input, out, size, allowShrink)
                    .option("preprocess.cub.segmentations", segmentations).option("preprocess.cub.task", task)
                    .option("preprocess.cub.mask-threshold", maskThreshold)
                    .option("preprocess.cub.crop-to-box", cropToBox ? true : null).load();
            PreprocessJob.run(Sparks.start(cfg.get(), common.master), cfg, "cub",
                    (jsc, c, tree) -> CubShardJob.run(jsc, CubShardConfig.from(c), tree), System.out);
            return 0;
        }
    }

    @Command(name = "folders", mixinStandardHelpOptions = true,
            description = "An image folder and a mask folder, matched by path without extension, -> segmentation "
                    + "shards; mask values become classes through --mask-map (255 = ignore).")
    public static final class Folders implements Callable<Integer> {
        @Mixin
        CommonOptions common;

        @Option(names = "--allow-shrink", description = "Let this run replace the shard set with less than half its "
                + "examples (otherwise it fails and keeps the set: an emptied or unmounted input looks like that)")
        boolean allowShrink;

        @Option(names = "--images", paramLabel = "DIR", description = "Image root")
        String images;

        @Option(names = "--masks", paramLabel = "DIR", description = "Mask root (same relative paths, any image extension)")
        String masks;

        @Option(names = "--out", paramLabel = "SHARDS", description = "Shard set folder (any Hadoop URI)")
        String out;

        @Option(names = "--size", paramLabel = "HxW", description = "Tensor height x width, e.g. 256x256")
        String size;

        @Option(names = "--mask-map", paramLabel = "MAP", description = "value=class pairs, e.g. \"1=1,2=0,3=255\"")
        String maskMap;

        @Option(names = "--image-suffix", paramLabel = "S", description = "Name suffix only images have, e.g. _leftImg8bit")
        String imageSuffix;

        @Option(names = "--mask-suffix", paramLabel = "S", description = "Name suffix only masks have, e.g. _mask")
        String maskSuffix;

        @Option(names = "--classes", paramLabel = "N", description = "Classes when there is no --mask-map")
        Integer classes;

        @Option(names = "--class-names", paramLabel = "NAMES", split = ",", description = "Class names in index order")
        List<String> classNames;

        @Option(names = "--val-fraction", paramLabel = "F", description = "Share of images in val (outside train/ val/ folders)")
        Double valFraction;

        @Override
        public Integer call() throws Exception {
            int[] hw = Sizes.parse(size, "--size");
            String s = "preprocess.folders.";
            JobConfig cfg = JobConfig.of("preprocess-folders").file(common.config).set(common.set)
                    .option(s + "images", images).option(s + "masks", masks).option(s + "out", out)
                    .option(s + "mask-map", maskMap).option(s + "image-suffix", imageSuffix)
                    .option(s + "mask-suffix", maskSuffix).option(s + "classes", classes).option(s + "class-names", classNames)
                    .option(s + "val-fraction", valFraction)
                    .option(s + "height", hw == null ? null : hw[0]).option(s + "width", hw == null ? null : hw[1])
                    .option(s + "force", common.forced()).option(s + "allow-shrink", allowShrink ? true : null).load();
            PreprocessJob.run(Sparks.start(cfg.get(), common.master), cfg, "folders", (jsc, c, tree) -> {
                double vf = c.getDouble("val-fraction");
                if (vf < 0 || vf >= 1) {
                    throw new IllegalArgumentException("val-fraction must be in [0, 1), got " + vf);
                }
                MaskMapping mapping = c.getIsNull("mask-map") ? MaskMapping.identity(c.getInt("classes"))
                        : MaskMapping.parse(c.getString("mask-map"), c.getInt("classes"));
                return PairedShardJob.run(jsc, ShardJobOptions.required(c, "images"), ShardJobOptions.required(c, "masks"),
                        c.getString("image-suffix"), c.getString("mask-suffix"), mapping, c.getStringList("class-names"),
                        ShardJobOptions.from(c, ShardJobOptions.required(c, "out")),
                        Resize.Aspect.parse(c.getString("aspect")), vf, c.getLong("split-seed"), c.getLong("max-pixels"), tree);
            }, System.out);
            return 0;
        }
    }

    private static JobConfig.Layers layers(String job, String section, CommonOptions common, String input, String out,
                                           String size, boolean allowShrink) {
        int[] hw = Sizes.parse(size, "--size");
        return JobConfig.of(job).file(common.config).set(common.set)
                .option(section + ".force", common.forced()).option(section + ".allow-shrink", allowShrink ? true : null)
                .option(section + ".input", input).option(section + ".out", out)
                .option(section + ".height", hw == null ? null : hw[0])
                .option(section + ".width", hw == null ? null : hw[1]);
    }
}
