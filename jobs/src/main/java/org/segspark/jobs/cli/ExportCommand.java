package org.segspark.jobs.cli;

import com.typesafe.config.Config;
import org.apache.hadoop.conf.Configuration;
import org.segspark.jobs.config.JobConfig;
import org.segspark.jobs.export.ExportJob;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.util.concurrent.Callable;

/** {@code segspark export}: a run's network as an ONNX model (docs/EXPORT.md). */
@Command(name = "export", mixinStandardHelpOptions = true,
        description = "Write a trained or pruned network (a run folder or a model.zip beside its model.json) as an ONNX "
                + "model for ONNX Runtime and TensorRT: input \"input\" float32 NCHW, output \"probabilities\"; checked "
                + "against DL4J in ONNX Runtime before it is written; recorded in model.json. Defaults in conf/export.conf.")
public final class ExportCommand implements Callable<Integer> {
    @Mixin
    CommonOptions common;

    @Option(names = "--run", paramLabel = "RUN|MODEL.zip", description = "Run folder, or a model.zip with model.json beside it")
    String model;

    @Option(names = "--out", paramLabel = "FILE.onnx", description = "The ONNX file to write")
    String out;

    @Option(names = "--opset", paramLabel = "N", description = "ONNX operator set, 13 to 17 (default 17)")
    Integer opset;

    @Option(names = "--batch", paramLabel = "N|dynamic", description = "Fixed batch size (default 1) or dynamic")
    String batch;

    @Option(names = "--fold-batchnorm", description = "Fold batch norms into the convolutions before them")
    Boolean fold;

    @Option(names = "--normalize-in-graph", description = "Build the input normalisation into the graph (input: pixels 0-255)")
    Boolean normalize;

    @Override
    public Integer call() throws Exception {
        JobConfig cfg = JobConfig.of("export").file(common.config).set(common.set)
                .option("export.model", model).option("export.out", out).option("export.opset", opset)
                .option("export.batch", batch).option("export.fold-batchnorm", fold)
                .option("export.normalize-in-graph", normalize).option("export.force", common.forced()).load();
        Config c = cfg.section("export", "model", "out");
        ExportJob.Settings s = new ExportJob.Settings(c.getString("model"), c.getString("out"), c.getInt("opset"),
                ExportJob.Settings.batch(c.getString("batch")), c.getBoolean("fold-batchnorm"),
                c.getBoolean("normalize-in-graph"), c.getDouble("tolerance"), c.getBoolean("checker"), c.getBoolean("force"));
        ExportJob.run(s, new Configuration(), System.out);
        return 0;
    }
}
