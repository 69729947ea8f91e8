package org.segspark.preprocess.coco;

import org.segspark.preprocess.SparkTest;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.hdfs.MiniDFSCluster;
import org.apache.parquet.hadoop.metadata.CompressionCodecName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.segspark.preprocess.image.Resize;
import org.segspark.preprocess.io.RejectsTable;
import org.segspark.preprocess.job.ShardJob;
import org.segspark.preprocess.job.ShardJobOptions;
import org.segspark.core.shards.ShardRow;
import org.segspark.core.shards.ShardSet;

import java.nio.file.Path;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The COCO job reads its inputs from and writes its shard set to a real HDFS (an in-process
 * MiniDFSCluster: NameNode and DataNode over RPC on 127.0.0.1), with the same rows, books and
 * rejects as on the local file system, and reruns incrementally there.
 */
class HdfsShardSetTest extends SparkTest {
    @TempDir
    Path dir;

    static CocoShardConfig config(String json, String images, String out) {
        return new CocoShardConfig(json, images, "categories", 0.25, 0, Resize.Aspect.STRETCH, 100_000_000L,
                new ShardJobOptions(out, 32, 48, 4, 64, CompressionCodecName.ZSTD));
    }

    @Test
    void shardsAreWrittenToAndReadFromHdfs() throws Exception {
        Path json = BadCocoData.write(dir.resolve("coco"));
        Configuration conf = new Configuration();
        conf.set(MiniDFSCluster.HDFS_MINIDFS_BASEDIR, dir.resolve("dfs").toString());
        conf.set("dfs.namenode.rpc-bind-host", "127.0.0.1");
        conf.set("dfs.datanode.address", "127.0.0.1:0");
        conf.set("dfs.datanode.http.address", "127.0.0.1:0");
        conf.set("dfs.datanode.ipc.address", "127.0.0.1:0");
        MiniDFSCluster cluster = new MiniDFSCluster.Builder(conf).numDataNodes(1).build();
        try {
            cluster.waitActive();
            String hdfs = "hdfs://127.0.0.1:" + cluster.getNameNodePort();
            FileSystem fs = cluster.getFileSystem();
            fs.copyFromLocalFile(new org.apache.hadoop.fs.Path(dir.resolve("coco").toUri()),
                    new org.apache.hadoop.fs.Path(hdfs + "/datasets/coco"));
            Configuration client = jsc().hadoopConfiguration();

            String out = hdfs + "/shards/coco";
            ShardJob.Result onHdfs = CocoShardJob.run(jsc(), config(hdfs + "/datasets/coco/" + SyntheticCoco.ANNOTATIONS,
                    hdfs + "/datasets/coco/images", out), null);
            ShardJob.Result local = CocoShardJob.run(jsc(), config(json.toString(), dir.resolve("coco/images").toString(),
                    dir.resolve("local").toString()), null);

            assertEquals(local.accounting(), onHdfs.accounting());
            assertEquals(BadCocoData.BAD, onHdfs.accounting().rejected());
            assertEquals(local.rejects().size(), RejectsTable.read(new org.apache.hadoop.fs.Path(out + "/" + RejectsTable.FILE),
                    client).size());
            assertTrue(fs.exists(new org.apache.hadoop.fs.Path(out + "/manifest.json")));
            Map<String, ShardRow> a = rowsByKey(out, client);
            Map<String, ShardRow> b = rowsByKey(dir.resolve("local").toString(), client);
            assertEquals(BadCocoData.GOOD, a.size());
            assertEquals(b.keySet(), a.keySet());
            for (String k : a.keySet()) {
                assertArrayEquals(b.get(k).image(), a.get(k).image(), k);
                assertArrayEquals(b.get(k).mask(), a.get(k).mask(), k);
                assertTrue(a.get(k).source().startsWith(hdfs + "/datasets/coco/images/"), a.get(k).source());
            }
            // a training task addresses row groups by URI: they resolve on HDFS
            String ref = ShardSet.open(out, client).rowGroupRefs("train").get(0);
            assertTrue(ref.startsWith(hdfs + "/shards/coco/data/"), ref);
            assertTrue(!ShardSet.readRowGroup(ref, client).isEmpty());

            ShardJob.Result again = CocoShardJob.run(jsc(), config(hdfs + "/datasets/coco/" + SyntheticCoco.ANNOTATIONS,
                    hdfs + "/datasets/coco/images", out), null);
            assertEquals("up-to-date", again.increment().mode(), again.increment().describe());
        } finally {
            cluster.shutdown();
        }
    }
}
