package org.segspark.jobs.eval;

import org.apache.spark.api.java.JavaSparkContext;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.segspark.core.io.SerializableConf;
import org.segspark.jobs.data.ShardBatchLoader;

import java.io.IOException;
import java.util.List;

/** Where a network is evaluated on row groups: in this process, or on the executors. */
public interface Evaluator {
    Evaluation.Result evaluate(ComputationGraph net, List<String> refs, ShardBatchLoader loader, int batch, int samples,
                               SerializableConf conf) throws IOException;

    static Evaluator inProcess() {
        return Evaluation::inProcess;
    }

    static Evaluator onSpark(JavaSparkContext jsc) {
        return (net, refs, loader, batch, samples, conf) -> Evaluation.onSpark(jsc, net, refs, loader, batch, samples, conf);
    }
}
