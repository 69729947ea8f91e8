package org.segspark.preprocess;

import com.holdenkarau.spark.testing.SharedJavaSparkContext;
import org.apache.hadoop.conf.Configuration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeEach;
import org.segspark.core.shards.ShardFileReader;
import org.segspark.core.shards.ShardRow;
import org.segspark.core.shards.ShardSet;

import java.io.IOException;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/** A test on the shared local Spark context (spark-testing-base under JUnit 5), with shard-reading helpers. */
public abstract class SparkTest extends SharedJavaSparkContext {
    @BeforeEach
    void startSpark() {
        runBefore();
    }

    @AfterAll
    static void stopSpark() {
        runAfterClass();
    }

    /** Every row of a shard set's train and val splits by key, after verifying the files' checksums; a key twice fails. */
    public static Map<String, ShardRow> rowsByKey(String root, Configuration conf) throws IOException {
        ShardSet set = ShardSet.open(root, conf);
        set.verify(conf);
        Map<String, ShardRow> rows = new TreeMap<>();
        for (String split : List.of("train", "val")) {
            for (org.apache.hadoop.fs.Path f : set.files(split)) {
                try (ShardFileReader r = new ShardFileReader(f, conf)) {
                    for (ShardRow row : r.readAll()) {
                        if (rows.put(row.key(), row) != null) {
                            throw new AssertionError("key twice in " + root + ": " + row.key());
                        }
                    }
                }
            }
        }
        return rows;
    }
}
