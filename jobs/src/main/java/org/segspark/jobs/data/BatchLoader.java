package org.segspark.jobs.data;

import org.apache.hadoop.conf.Configuration;
import org.deeplearning4j.core.loader.MultiDataSetLoader;
import org.nd4j.linalg.dataset.MultiDataSet;

import java.io.IOException;

/** Turns one planned minibatch (a {@link BatchPlan} reference) into a MultiDataSet, where it is trained on. */
public interface BatchLoader extends MultiDataSetLoader {
    MultiDataSet load(String batchRef, Configuration conf) throws IOException;

    /** Op threads the training JVM's tasks use (0: leave them). */
    int threadsPerTask();
}
