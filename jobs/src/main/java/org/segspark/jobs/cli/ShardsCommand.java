package org.segspark.jobs.cli;

import org.segspark.jobs.shards.ShardPreview;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.util.concurrent.Callable;

/** {@code segspark shards}: look at a shard set. */
@Command(name = "shards", mixinStandardHelpOptions = true, description = "Look at a shard set.",
        subcommands = {ShardsCommand.Preview.class})
public final class ShardsCommand implements Runnable {
    @Override
    public void run() {
        throw new picocli.CommandLine.ParameterException(new picocli.CommandLine(this),
                "name a step: preview (segspark shards preview --help)");
    }

    @Command(name = "preview", mixinStandardHelpOptions = true,
            description = "The first examples of a split as PNG files (image, and label map over it) and index.csv: "
                    + "what notebooks/shards.ipynb shows.")
    static final class Preview implements Callable<Integer> {
        @Option(names = "--data", paramLabel = "SHARDS", required = true, description = "A shard set")
        String data;

        @Option(names = "--out", paramLabel = "DIR", required = true, description = "Folder for the PNG files and index.csv")
        String out;

        @Option(names = "--split", paramLabel = "SPLIT", description = "train or val (default val)")
        String split = "val";

        @Option(names = "--count", paramLabel = "N", description = "Examples (default 16)")
        int count = 16;

        @Override
        public Integer call() throws Exception {
            if (!split.equals("train") && !split.equals("val")) {
                throw new IllegalArgumentException("--split must be train or val, got " + split);
            }
            int n = ShardPreview.write(data, split, count, out, new org.apache.hadoop.conf.Configuration());
            System.out.printf("shards preview: %d %s examples in %s (index.csv)%n", n, split, out);
            return 0;
        }
    }
}
