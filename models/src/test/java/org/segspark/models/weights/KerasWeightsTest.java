package org.segspark.models.weights;

import org.segspark.models.ModelConfig;
import org.segspark.models.registry.ModelRegistry;

import org.segspark.core.Task;

import org.bytedeco.hdf5.DataSet;
import org.bytedeco.hdf5.DataSpace;
import org.bytedeco.hdf5.DataType;
import org.bytedeco.hdf5.Group;
import org.bytedeco.hdf5.H5File;
import org.bytedeco.hdf5.PredType;
import org.bytedeco.hdf5.global.hdf5;
import org.bytedeco.javacpp.FloatPointer;
import org.deeplearning4j.nn.api.Layer;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.params.BatchNormalizationParamInitializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.api.MultiDataSet;
import org.nd4j.linalg.factory.Nd4j;
import org.segspark.models.bench.SingleProcessBenchmark;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Keras weight files written here in the layout Keras' save_weights uses (a group per layer holding
 * a group of "name:0" datasets; kernels height, width, in, out) are loaded by layer name.
 */
class KerasWeightsTest {

    @TempDir
    Path dir;

    /** Layer -> Keras weight name -> array in Keras layout. */
    static final class KerasFile {
        final Map<String, Map<String, INDArray>> layers = new LinkedHashMap<>();

        KerasFile layer(String name, String weight, INDArray value) {
            layers.computeIfAbsent(name, k -> new LinkedHashMap<>()).put(weight, value);
            return this;
        }

        KerasFile empty(String name) {
            layers.put(name, new LinkedHashMap<>());
            return this;
        }

        Path write(Path file) {
            DataType f32 = new DataType(PredType.NATIVE_FLOAT());
            try (H5File h5 = new H5File(file.toString(), hdf5.H5F_ACC_TRUNC())) {
                for (Map.Entry<String, Map<String, INDArray>> l : layers.entrySet()) {
                    Group outer = h5.createGroup(l.getKey());
                    Group inner = outer.createGroup(l.getKey());
                    for (Map.Entry<String, INDArray> w : l.getValue().entrySet()) {
                        INDArray a = w.getValue().castTo(org.nd4j.linalg.api.buffer.DataType.FLOAT).dup('c');
                        DataSpace space = new DataSpace(a.rank(), a.shape());
                        DataSet ds = inner.createDataSet(w.getKey() + ":0", f32, space);
                        ds.write(new FloatPointer(a.data().asFloat()), f32);
                        ds.close();
                        space.close();
                    }
                    inner.close();
                    outer.close();
                }
            }
            return file;
        }
    }

    /** A MobileNetV2 encoder's weights as Keras stores them, taken from a DL4J network. */
    static KerasFile mobileNetV2Notop(ComputationGraph source) {
        KerasFile f = new KerasFile().empty("input_1");
        for (Layer l : source.getLayers()) {
            String name = l.conf().getLayer().getLayerName();
            Map<String, INDArray> p = l.paramTable();
            if (p.containsKey(BatchNormalizationParamInitializer.GLOBAL_LOG_STD)) {
                INDArray std = org.nd4j.linalg.ops.transforms.Transforms.pow(
                        Nd4j.valueArrayOf(p.get("log10stdev").shape(), 10.0f), p.get("log10stdev"), true);
                f.layer(name, "gamma", p.get("gamma").reshape(-1)).layer(name, "beta", p.get("beta").reshape(-1))
                        .layer(name, "moving_mean", p.get("mean").reshape(-1))
                        .layer(name, "moving_variance", std.mul(std).reshape(-1));
            } else if (name.endsWith("_depthwise")) {
                f.layer(name, "depthwise_kernel", p.get("W"));
            } else if (p.containsKey("W") && p.get("W").rank() == 4) {
                f.layer(name, "kernel", p.get("W").permute(2, 3, 1, 0));
            }
        }
        return f;
    }

    @Test
    void kerasKernelLayoutMapsToDl4jByDefinition() throws Exception {
        // Keras kernel [kh, kw, in, out] holding its own index: W[o][i][y][x] must equal K[y][x][i][o]
        INDArray k = Nd4j.arange(3 * 3 * 3 * 32).castTo(org.nd4j.linalg.api.buffer.DataType.FLOAT).reshape(3, 3, 3, 32);
        Path file = new KerasFile().layer("Conv1", "kernel", k).write(dir.resolve("conv.h5"));
        ComputationGraph net = ModelRegistry.build("mobilenet-v2", ModelRegistry.get("mobilenet-v2").defaults().withInput(32, 32));
        KerasWeights.Result r = KerasWeights.load(net, file);
        assertEquals(List.of("Conv1"), r.loaded());
        INDArray w = net.getLayer("Conv1").getParam("W");
        assertArrayEquals(new long[] {32, 3, 3, 3}, w.shape());
        for (int[] idx : new int[][] {{0, 0, 0, 0}, {5, 2, 1, 0}, {31, 1, 2, 2}, {17, 0, 2, 1}}) {
            int o = idx[0], i = idx[1], y = idx[2], x = idx[3];
            assertEquals(k.getFloat(y, x, i, o), w.getFloat(o, i, y, x), 0f, "W" + java.util.Arrays.toString(idx));
        }
    }

    @Test
    void aMobileNetV2FileLoadsIntoTheUNetEncoderAndItsFeaturesMatch() throws Exception {
        ModelConfig cls = ModelRegistry.get("mobilenet-v2").defaults().withInput(64, 64).withSeed(7);
        ComputationGraph source = ModelRegistry.build("mobilenet-v2", cls);
        // running statistics that are not the initial ones, so a lost variance would show
        MultiDataSet batch = SingleProcessBenchmark.randomBatch(Task.CLASSIFICATION, cls, 4, 11);
        BatchNormStatistics.recompute(source, List.<INDArray[]>of(batch.getFeatures()).iterator(), 1);
        Path file = mobileNetV2Notop(source).write(dir.resolve("mobilenet_v2_notop.h5"));

        ModelConfig seg = ModelRegistry.get("unet-mobilenetv2").defaults().withInput(64, 64).withFreezeEncoder(true);
        ComputationGraph unet = ModelRegistry.build("unet-mobilenetv2", seg);
        KerasWeights.Result r = KerasWeights.load(unet, file);
        // 1 stem conv + BN, block 0 (depthwise, BN, project, BN), 16 blocks of 6 layers
        assertEquals(2 + 4 + 16 * 6, r.loaded().size(), r.loaded().toString());
        assertEquals(List.of("Conv_1", "Conv_1_bn"), r.notInModel(), "the classifier's last conv is reported, not dropped");

        INDArray x = batch.getFeatures(0);
        INDArray expected = source.feedForward(x, false).get("block_16_project_BN");
        INDArray actual = unet.feedForward(x, false).get("block_16_project_BN");
        // float32 through 17 blocks and a log10/pow round trip of every variance
        double scale = expected.amaxNumber().doubleValue();
        assertTrue(scale > 0.1, "features of some size: " + scale);
        assertEquals(0, expected.sub(actual).amaxNumber().doubleValue() / scale, 1e-3, "encoder features equal the source's");

        // frozen encoder: a training step changes the decoder only
        INDArray encoderBefore = unet.getLayer("block_5_expand").getParam("W").dup();
        String decoderLayer = BatchNormStatistics.layers(unet).get(0);
        INDArray decoderBefore = unet.getLayer(decoderLayer).getParam("gamma").dup();
        unet.fit(SingleProcessBenchmark.randomBatch(Task.SEGMENTATION, seg, 2, 3));
        assertEquals(encoderBefore, unet.getLayer("block_5_expand").getParam("W"));
        assertNotEquals(decoderBefore, unet.getLayer(decoderLayer).getParam("gamma"));
    }

    @Test
    void wrongFilesAreClearErrors() throws Exception {
        ComputationGraph net = ModelRegistry.build("unet-vgg16", ModelRegistry.get("unet-vgg16").defaults().withInput(32, 32));
        Path shape = new KerasFile().layer("block1_conv1", "kernel", Nd4j.zeros(3, 3, 3, 32))
                .layer("block1_conv1", "bias", Nd4j.zeros(32)).write(dir.resolve("shape.h5"));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> KerasWeights.load(net, shape));
        assertTrue(e.getMessage().contains("shape.h5") && e.getMessage().contains("block1_conv1")
                && e.getMessage().contains("[64, 3, 3, 3]"), e.getMessage());

        Path other = new KerasFile().layer("dense_7", "kernel", Nd4j.zeros(4, 4)).write(dir.resolve("other.h5"));
        e = assertThrows(IllegalArgumentException.class, () -> KerasWeights.load(net, other));
        assertTrue(e.getMessage().contains("no layer of") && e.getMessage().contains("dense_7"), e.getMessage());

        Path noBias = new KerasFile().layer("block1_conv1", "kernel", Nd4j.zeros(3, 3, 3, 64)).write(dir.resolve("nobias.h5"));
        e = assertThrows(IllegalArgumentException.class, () -> KerasWeights.load(net, noBias));
        assertTrue(e.getMessage().contains("has no bias"), e.getMessage());

        assertThrows(java.io.FileNotFoundException.class, () -> KerasWeights.load(net, dir.resolve("missing.h5")));
        Path text = java.nio.file.Files.writeString(dir.resolve("text.h5"), "not hdf5");
        java.io.IOException io = assertThrows(java.io.IOException.class, () -> KerasWeights.load(net, text));
        assertTrue(io.getMessage().contains("text.h5"), io.getMessage());
    }

    @Test
    void vgg16WeightsLoadIntoTheFrozenDesignCEncoder() throws Exception {
        ModelConfig cfg = ModelRegistry.get("unet-vgg16").defaults().withInput(32, 32);
        ComputationGraph net = ModelRegistry.build("unet-vgg16", cfg);
        KerasFile f = new KerasFile();
        int[][] blocks = {{64, 64}, {128, 128}, {256, 256, 256}, {512, 512, 512}, {512, 512, 512}};
        int in = 3;
        for (int b = 0; b < blocks.length; b++) {
            for (int i = 0; i < blocks[b].length; i++) {
                String name = "block" + (b + 1) + "_conv" + (i + 1);
                f.layer(name, "kernel", Nd4j.rand(org.nd4j.linalg.api.buffer.DataType.FLOAT, 3, 3, in, blocks[b][i]))
                        .layer(name, "bias", Nd4j.rand(org.nd4j.linalg.api.buffer.DataType.FLOAT, blocks[b][i]));
                in = blocks[b][i];
            }
            f.empty("block" + (b + 1) + "_pool");
        }
        KerasWeights.Result r = KerasWeights.load(net, f.write(dir.resolve("vgg16_notop.h5")));
        assertEquals(13, r.loaded().size());
        assertEquals(14_714_688L, r.params(), "Keras' VGG16 notop parameter count");
        assertTrue(r.notInModel().isEmpty());
        assertEquals(f.layers.get("block5_conv3").get("bias").reshape(1, 512), net.getLayer("block5_conv3").getParam("b").reshape(1, 512));
    }

    @Test
    void recomputedStatisticsAreTheBatchMoments() {
        ModelConfig cfg = ModelRegistry.get("mobilenet-v3-small").defaults().withInput(32, 32);
        ComputationGraph net = ModelRegistry.build("mobilenet-v3-small", cfg);
        INDArray[] x = SingleProcessBenchmark.randomBatch(Task.CLASSIFICATION, cfg, 8, 5).getFeatures();
        assertEquals(2, BatchNormStatistics.recompute(net, List.of(x, x).iterator(), 5), "both batches, then the end");
        // the stem batch norm's input is the stem conv's output on the raw batch
        String first = BatchNormStatistics.layers(net).get(0);
        String in = net.getConfiguration().getVertexInputs().get(first).get(0);
        INDArray conv = net.feedForward(x, false).get(in);
        double[][] m = BatchNormStatistics.moments(conv);
        INDArray mean = net.getLayer(first).getParam("mean");
        INDArray log10std = net.getLayer(first).getParam("log10stdev");
        for (int c = 0; c < m[0].length; c++) {
            assertEquals(m[0][c], mean.getDouble(c), 1e-4 + 1e-4 * Math.abs(m[0][c]));
            assertEquals(0.5 * Math.log10(m[1][c]), log10std.getDouble(c), 1e-4);
        }
    }
}
