package org.segspark.jobs.ml;

import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.Path;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.segspark.core.io.HadoopFiles;
import org.segspark.jobs.data.Targets;
import org.segspark.jobs.export.ExportJob;
import org.segspark.jobs.predict.BatchModel;
import org.segspark.jobs.predict.PredictJob;
import org.segspark.jobs.predict.TensorBatch;
import org.segspark.jobs.run.ModelInput;
import org.segspark.jobs.run.RunDirectory;
import org.segspark.models.layers.NativeSpeed;

import java.io.IOException;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The networks this JVM has loaded, one per saved model: an executor reads and builds a run's
 * network once, however many partitions and rows it transforms. A model file replaced in place
 * (another size or modification time) is loaded again.
 */
final class LoadedNetworks {
    private static final Map<String, Loaded> LOADED = new ConcurrentHashMap<>();
    private static final AtomicInteger LOADS = new AtomicInteger();

    private LoadedNetworks() {
    }

    /** How many times this JVM has read and built a network. */
    static int loads() {
        return LOADS.get();
    }

    /**
     * A run's network, loaded for an engine (PredictJob.Settings.ONNXRUNTIME: exported in memory,
     * run with {@code threads} threads, 0 for ONNX Runtime's choice). Concurrent tasks of one executor
     * share it and take turns through {@link Loaded#predict}: DL4J's forward pass is not safe to run
     * twice at once on one network, and each pass already spreads over the executor's cores.
     */
    static Loaded get(String run, ModelInput input, String engine, int threads, Configuration conf) throws IOException {
        RunDirectory dir = new RunDirectory(run, conf);
        Path model = dir.path(RunDirectory.MODEL);
        FileStatus st = HadoopFiles.fs(model, conf).getFileStatus(model);
        String key = st.getPath() + "#" + engine, stamp = st.getLen() + "#" + st.getModificationTime();
        Loaded l = LOADED.get(key);
        if (l != null && l.stamp().equals(stamp)) {
            return l;
        }
        synchronized (LOADED) {
            l = LOADED.get(key);
            if (l == null || !l.stamp().equals(stamp)) {
                NativeSpeed.enable();
                ComputationGraph net = dir.loadModel(RunDirectory.MODEL);
                Targets targets = input.segmentation()
                        ? Targets.segmentation(input.classes().size(), input.height(), input.width(), input.channels(),
                                net.getConfiguration())
                        : Targets.classification(input.classes().size());
                BatchModel served = engine.equals(PredictJob.Settings.ONNXRUNTIME)
                        ? BatchModel.onnx(ExportJob.served(net, dir.readTree(RunDirectory.MODEL_INFO), run), threads)
                        : BatchModel.dl4j(net);
                // one network per model file and engine: a file replaced in place replaces its network (not
                // closed: tasks that began before may still be running it)
                l = new Loaded(stamp, served, targets);
                LOADS.incrementAndGet();
                LOADED.put(key, l);
            }
            return l;
        }
    }

    /** A loaded network and how its outputs map to labels. */
    record Loaded(String stamp, BatchModel net, Targets targets) {
        synchronized List<TensorBatch.Result> predict(ModelInput input, List<TensorBatch.Fitted> images) {
            return TensorBatch.predict(net, input, targets, images);
        }
    }
}
