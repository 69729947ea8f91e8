package org.segspark.jobs.train;

import org.segspark.jobs.data.BatchPlan;

import org.junit.jupiter.api.Test;
import org.segspark.core.shards.ShardSet;

import java.net.URI;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class BatchPlanTest {
    private static final List<ShardSet.RowGroup> GROUPS = List.of(
            new ShardSet.RowGroup("file:/s/a.parquet", 0, 16), new ShardSet.RowGroup("file:/s/a.parquet", 1, 3),
            new ShardSet.RowGroup("file:/s/b.parquet", 0, 16), new ShardSet.RowGroup("file:/s/b.parquet", 1, 1),
            new ShardSet.RowGroup("file:/s/c.parquet", 0, 7));

    @Test
    void everyRowOnceInBatchesOfExactlyTheSizeButTheLast() throws Exception {
        List<String> plan = BatchPlan.plan(GROUPS, 8, 42);
        Set<String> rows = new HashSet<>();
        List<Integer> sizes = new ArrayList<>();
        for (String ref : plan) {
            new URI(ref); // DL4J resolves each batch as a URI on the shards' file system
            int n = 0;
            for (BatchPlan.Slice s : BatchPlan.parse(ref)) {
                for (int r = s.start(); r < s.start() + s.count(); r++) {
                    assertTrue(rows.add(s.file() + "#" + s.group() + "/" + r), "row planned twice");
                }
                n += s.count();
            }
            sizes.add(n);
        }
        assertEquals(43, rows.size());
        for (int i = 0; i < sizes.size() - 1; i++) {
            assertEquals(8, sizes.get(i));
        }
        assertEquals(3, sizes.get(sizes.size() - 1));
    }

    @Test
    void theSeedDecidesTheOrder() {
        assertEquals(BatchPlan.plan(GROUPS, 8, 1), BatchPlan.plan(GROUPS, 8, 1));
        assertNotEquals(BatchPlan.plan(GROUPS, 8, 1), BatchPlan.plan(GROUPS, 8, 2));
    }
}
