package org.segspark.core.shards;

import org.apache.hadoop.conf.Configuration;
import org.apache.parquet.hadoop.metadata.CompressionCodecName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.segspark.preprocess.SparkTest;
import org.segspark.preprocess.folder.ImageFolderShardJob;
import org.segspark.preprocess.image.Resize;
import org.segspark.preprocess.job.NothingLostTest;
import org.segspark.preprocess.job.ShardJobOptions;

import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The row-group cache on a real shard set: a second read is served from memory with the rows the
 * file holds, a rewritten file is read (and checked) again, the least recently used group leaves
 * first when the budget is spent, and the budget never passes its share of the heap.
 */
class RowGroupCacheTest extends SparkTest {
    private static final long LARGE = 1L << 30;

    @TempDir
    Path dir;

    /** Twelve 32x32 images in row groups of four rows. */
    private List<String> refs() throws Exception {
        Path in = NothingLostTest.imageFolder(dir.resolve("in"), 12);
        Path out = dir.resolve("shards");
        ImageFolderShardJob.run(jsc(), in.toString(), new ShardJobOptions(out.toString(), 32, 32, 4, 64,
                CompressionCodecName.UNCOMPRESSED, true, false, false, false), Resize.Aspect.STRETCH, 0.25, 7,
                100_000_000L, null);
        return ShardSet.open(out.toString(), hadoop()).rowGroupRefs("train");
    }

    private Configuration hadoop() {
        return jsc().hadoopConfiguration();
    }

    @Test
    void aSecondReadComesFromMemoryWithTheFilesRows() throws Exception {
        String ref = refs().get(0);
        RowGroupCache cache = new RowGroupCache(LARGE * 8);
        List<ShardRow> first = cache.rows(ref, hadoop(), LARGE);
        List<ShardRow> again = cache.rows(ref, hadoop(), LARGE);
        assertSame(first, again, "the kept rows");
        List<ShardRow> read = ShardSet.readRowGroup(ref, hadoop());
        assertEquals(read.size(), again.size());
        for (int i = 0; i < read.size(); i++) {
            assertEquals(read.get(i).key(), again.get(i).key());
            assertTrue(Arrays.equals(read.get(i).image(), again.get(i).image()), "row " + i + "'s pixels");
        }
        RowGroupCache.Stats s = cache.stats();
        assertEquals(1, s.hits());
        assertEquals(1, s.misses());
        assertEquals(1, s.entries());
        assertEquals(RowGroupCache.size(first), s.bytes());
    }

    @Test
    void aRewrittenFileIsReadAndCheckedAgain() throws Exception {
        String ref = refs().get(0);
        RowGroupCache cache = new RowGroupCache(LARGE * 8);
        cache.rows(ref, hadoop(), LARGE);
        Path file = Path.of(URI.create(ref.substring(0, ref.lastIndexOf('#'))));
        byte[] b = Files.readAllBytes(file);
        for (int i = b.length / 2 - 500; i < b.length / 2 + 500; i++) {
            b[i] = (byte) ~b[i];
        }
        Files.write(file, b);
        try (Stream<Path> s = Files.walk(file.getParent())) {
            for (Path crc : s.filter(p -> p.getFileName().toString().endsWith(".crc")).toList()) {
                Files.delete(crc);
            }
        }
        // the same length: only the modification time tells the cache the file changed
        file.toFile().setLastModified(file.toFile().lastModified() + 2000);
        DamagedShardSetException e = assertThrows(DamagedShardSetException.class, () -> cache.rows(ref, hadoop(), LARGE));
        assertTrue(e.getMessage().contains(file.getFileName().toString()), e.getMessage());
    }

    @Test
    void theLeastRecentlyUsedGroupLeavesFirstWithinTheBudget() throws Exception {
        List<String> refs = refs();
        long[] size = new long[3];
        for (int i = 0; i < 3; i++) {
            size[i] = RowGroupCache.size(ShardSet.readRowGroup(refs.get(i), hadoop()));
        }
        // groups 0 and 1 fit, all three do not
        long budget = size[0] + Math.max(size[1], size[2]);
        RowGroupCache cache = new RowGroupCache(LARGE * 8);
        List<ShardRow> a = cache.rows(refs.get(0), hadoop(), budget);
        cache.rows(refs.get(1), hadoop(), budget);
        assertSame(a, cache.rows(refs.get(0), hadoop(), budget), "a hit makes group 0 the most recently used");
        cache.rows(refs.get(2), hadoop(), budget);
        RowGroupCache.Stats s = cache.stats();
        assertEquals(2, s.entries(), "two groups fit");
        assertTrue(s.bytes() <= budget, s.toString());
        assertSame(a, cache.rows(refs.get(0), hadoop(), budget), "group 0 stayed");
        long misses = cache.stats().misses();
        cache.rows(refs.get(1), hadoop(), budget);
        assertEquals(misses + 1, cache.stats().misses(), "group 1 was the one to leave");
    }

    @Test
    void noBudgetReadsTheFileEveryTimeAndTheHeapCapsTheBudget() throws Exception {
        String ref = refs().get(0);
        RowGroupCache cache = new RowGroupCache(LARGE * 8);
        assertNotSame(cache.rows(ref, hadoop(), 0), cache.rows(ref, hadoop(), 0));
        assertEquals(0, cache.stats().entries());

        long heap = 4_000;
        RowGroupCache small = new RowGroupCache(heap);
        small.rows(ref, hadoop(), LARGE);
        assertEquals((long) (heap * RowGroupCache.HEAP_SHARE), small.stats().budget());
        assertEquals(0, small.stats().entries(), "a group of four 32x32 images is larger than a quarter of 4 KB");
    }
}
