// The training loader's time per minibatch, on one thread with nothing else running: reading the
// row groups from the shard files (the row-group cache off), then from memory (the cache on).
//   ./mvnw -q -o install -DskipTests
//   java -cp "jobs/target/segspark-jobs-0.1.0-SNAPSHOT-app.jar:$(cat jobs/target/spark-classpath.txt)" \
//       bench/LoaderSpeed.java SHARDS [BATCHES]
// Flips and moves of up to 4 pixels as conf/fashion-mnist-64-grey.conf; batch 64.
import org.apache.hadoop.conf.Configuration;
import org.segspark.core.io.SerializableConf;
import org.segspark.core.shards.ShardManifest;
import org.segspark.core.shards.ShardSet;
import org.segspark.jobs.data.Augmentation;
import org.segspark.jobs.data.BatchPlan;
import org.segspark.jobs.data.InputNormalizer;
import org.segspark.jobs.data.Normalization;
import org.segspark.jobs.data.ShardBatchLoader;
import org.segspark.jobs.data.Targets;

import java.util.List;

public class LoaderSpeed {
    public static void main(String[] args) throws Exception {
        Configuration conf = new Configuration();
        ShardSet set = ShardSet.open(args[0], conf);
        int n = args.length > 1 ? Integer.parseInt(args[1]) : 150;
        List<String> order = BatchPlan.plan(set.rowGroups("train"), 64, 7);
        ShardManifest m = set.manifest();
        InputNormalizer norm = InputNormalizer.of(Normalization.DATASET, m.tensor().channels(),
                m.normalization().mean(), m.normalization().std());
        Targets targets = Targets.classification(m.numClasses());
        for (long cache : new long[] {0, 1L << 30}) {
            ShardBatchLoader loader = new ShardBatchLoader(targets, norm, 7L, new SerializableConf(conf), 1,
                    new Augmentation(true, 4), cache);
            // rounds 1-2 warm the JIT (and fill the cache); the same batches again after
            for (int round = 1; round <= 4; round++) {
                long read = 0, t0 = System.nanoTime();
                for (int i = 0; i < n; i++) {
                    long r0 = System.nanoTime();
                    var rows = loader.select(order.get(i + (round % 2) * n), conf);
                    read += System.nanoTime() - r0;
                    loader.toDataSet(rows.stream().map(ShardBatchLoader.Picked::row).toList());
                }
                System.out.printf("cache %s, round %d: %.2f ms per minibatch (reading rows %.2f, building arrays %.2f)%n",
                        cache == 0 ? "off" : "on", round, (System.nanoTime() - t0) / 1e6 / n, read / 1e6 / n,
                        (System.nanoTime() - t0 - read) / 1e6 / n);
            }
        }
    }
}
