package org.segspark.jobs.cli;

import org.segspark.jobs.shards.ShardNpyExport;
import org.segspark.jobs.shards.ShardPreview;
import picocli.CommandLine.Command;
import org.apache.hadoop.conf.Configuration;
import org.segspark.core.shards.DamagedShardSetException;
import org.segspark.core.shards.ShardSet;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import org.segspark.jobs.config.Deprecation;

import java.util.List;
import java.util.concurrent.Callable;

/** {@code segspark shards}: look at a shard set. */
@Command(name = "shards", mixinStandardHelpOptions = true, description = "Look at a shard set.",
        subcommands = {ShardsCommand.Preview.class, ShardsCommand.Verify.class, ShardsCommand.Export.class})
public final class ShardsCommand implements Runnable {
    @Override
    public void run() {
        throw new picocli.CommandLine.ParameterException(new picocli.CommandLine(this),
                "name a step: preview, verify or export (segspark shards verify --help)");
    }

    @Command(name = "preview", mixinStandardHelpOptions = true,
            footerHeading = "%nExample:%n", footer = "  segspark shards preview --data shards --out preview --examples 16",
            description = "The first examples of a split as PNG files (image, and label map over it) and index.csv: "
                    + "what notebooks/shards.ipynb shows.")
    static final class Preview implements Callable<Integer> {
        @Spec
        CommandSpec spec;

        @Option(names = "--data", paramLabel = "SHARDS", required = true, description = "A shard set (required)")
        String data;

        @Option(names = "--out", paramLabel = "DIR", required = true, description = "Folder for the PNG files and index.csv (required)")
        String out;

        @Option(names = "--split", paramLabel = "SPLIT", defaultValue = "val", description = "train or val (default: ${DEFAULT-VALUE})")
        String split;

        @Option(names = "--examples", paramLabel = "N", defaultValue = "16", description = "Examples to draw (default: ${DEFAULT-VALUE})")
        int count;

        @Option(names = "--count", hidden = true, paramLabel = "N")
        void formerCount(int n) {
            Deprecation.warn(spec, "--count", "--examples");
            count = n;
        }

        @Option(names = "--force", description = "Write into a non-empty --out that is not a preview (its other files are kept)")
        boolean force;

        @Override
        public Integer call() throws Exception {
            if (!split.equals("train") && !split.equals("val")) {
                throw new IllegalArgumentException("--split must be train or val, got " + split);
            }
            int n = ShardPreview.write(data, split, count, out, new Configuration(), force);
            System.out.printf("shards preview: %d %s examples in %s (index.csv)%n", n, split, out);
            return 0;
        }
    }

    @Command(name = "verify", mixinStandardHelpOptions = true,
            footerHeading = "%nExample:%n", footer = "  segspark shards verify --data shards",
            description = "Check every file of a shard set against its manifest: present, its size, its SHA-256 and "
                    + "its row groups. Exit 0 when the set is whole; 2 with one line per damaged or missing file.")
    static final class Verify implements Callable<Integer> {
        @Option(names = "--data", paramLabel = "SHARDS", required = true, description = "A shard set, any Hadoop URI (required)")
        String data;

        @Override
        public Integer call() throws Exception {
            Configuration conf = new Configuration();
            ShardSet set = ShardSet.open(data, conf);
            List<String> problems = set.problems(conf);
            long files = set.manifest().splits().values().stream().mapToLong(s -> s.shards().size()).sum();
            if (!problems.isEmpty()) {
                problems.forEach(p -> System.err.println("segspark shards verify: " + p));
                throw new DamagedShardSetException(data + ": " + problems.size() + " of " + files
                        + " shard files are damaged or missing");
            }
            System.out.printf("shards verify: %s is whole: %d files, %d examples, every checksum matches%n", data, files,
                    set.manifest().splits().values().stream().mapToLong(s -> s.examples()).sum());
            return 0;
        }
    }

    @Command(name = "export", mixinStandardHelpOptions = true,
            footerHeading = "%nExample:%n", footer = "  segspark shards export --data fashion-shards --out fashion-npy",
            description = "The splits as NumPy arrays in the manifest's row order: <split>-images.npy (uint8 N,H,W,C), "
                    + "<split>-labels.npy (int64 N) or <split>-masks.npy (uint8 N,H,W), <split>-keys.txt, and "
                    + "export.json (classes, normalisation): for tools without a Parquet reader.")
    static final class Export implements Callable<Integer> {
        @Option(names = "--data", paramLabel = "SHARDS", required = true, description = "A shard set (required)")
        String data;

        @Option(names = "--out", paramLabel = "DIR", required = true, description = "Folder for the arrays (required)")
        String out;

        @Option(names = "--splits", paramLabel = "SPLIT[,SPLIT]", split = ",", defaultValue = "train,val",
                description = "Splits to export (default: ${DEFAULT-VALUE})")
        List<String> splits;

        @Option(names = "--force", description = "Write into a non-empty --out that is not an export (its other files are kept)")
        boolean force;

        @Override
        public Integer call() throws Exception {
            ShardNpyExport.ExportInfo info = ShardNpyExport.write(data, splits, out, new Configuration(), force);
            for (ShardNpyExport.SplitFiles f : info.splits()) {
                System.out.printf("shards export: %s: %d examples -> %s, %s, %s%n", f.split(), f.examples(), f.images(),
                        f.targets(), f.keys());
            }
            System.out.printf("shards export: written to %s (%s)%n", out, ShardNpyExport.INFO);
            return 0;
        }
    }
}
