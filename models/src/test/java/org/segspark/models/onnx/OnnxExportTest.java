package org.segspark.models.onnx;

import onnx.Onnx.ModelProto;
import onnx.Onnx.NodeProto;
import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.BatchNormalization;
import org.deeplearning4j.nn.conf.layers.Upsampling2D;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.api.MultiDataSet;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;
import org.nd4j.linalg.ops.transforms.Transforms;
import org.segspark.models.weights.BatchNormStatistics;
import org.segspark.models.ModelConfig;
import org.segspark.models.registry.ModelRegistry;
import org.segspark.models.ModelRegistryTest;
import org.segspark.models.ModelSpec;
import org.segspark.models.bench.SingleProcessBenchmark;
import org.segspark.models.graph.GraphAssembler;

import javax.imageio.ImageIO;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import java.util.HashMap;
import java.util.Locale;

/**
 * Every registry model of this module, trained one step so that weights and batch-norm statistics
 * are not at their initial values, exported and run in ONNX Runtime on a random batch and a real
 * photograph: the probabilities equal DL4J's within 1e-4. The files pass the onnx package's
 * checker (at the end, in one Python process).
 */
class OnnxExportTest {
    /** The bound on max |p_DL4J - p_ORT| over every output value. */
    static final double TOLERANCE = 1e-4;
    private static final Path PHOTO = Path.of("src/test/resources/images/000000223747.jpg");
    private static final List<Path> EXPORTED = new ArrayList<>();

    @TempDir
    static Path dir;

    static Stream<String> models() {
        return ModelRegistry.all().keySet().stream();
    }

    @BeforeAll
    static void clear() {
        EXPORTED.clear();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("models")
    void exportedModelMatchesDl4jInOnnxRuntime(String name) throws IOException {
        ModelSpec spec = ModelRegistry.get(name);
        ModelConfig cfg = ModelRegistryTest.small(spec);
        ComputationGraph net = ModelRegistry.build(name, cfg);
        MultiDataSet batch = SingleProcessBenchmark.randomBatch(spec.task(), cfg, 4, 3);
        trained(net, spec, cfg);
        InputType.InputTypeConvolutional input = (InputType.InputTypeConvolutional) InputType.convolutional(cfg.height(), cfg.width(), 3);
        INDArray random = batch.getFeatures(0).get(NDArrayIndex.interval(0, 2)).dup();
        INDArray photo = photo(cfg.height(), cfg.width());
        // the largest models load without ONNX Runtime's CPU weight layouts, which take 15 s for them
        boolean layouts = net.numParams() < 50_000_000;
        assertFalse(saturated(net, Nd4j.concat(0, random, photo)), name + ": probabilities nearly all 0 or 1, parity would say little");
        boolean batchNorm = Stream.of(net.getLayers()).anyMatch(l -> l.conf().getLayer() instanceof BatchNormalization);

        if (batchNorm) {
            byte[] bytes = OnnxExport.export(net, input, ExportOptions.defaults().withBatch(2)).toByteArray();
            keep(name + ".onnx", bytes);
            try (OnnxRuntimeModel ort = new OnnxRuntimeModel(bytes, 2, layouts)) {
                assertArrayEquals(new long[] {2, 3, cfg.height(), cfg.width()}, ort.inputShape());
                double d = OnnxParity.maxAbsDifference(net, ort, random);
                assertTrue(d <= TOLERANCE, name + ": max |difference| on a random batch " + d);
            }
        }

        // a dynamic batch axis, batch norm folded into the convolutions: the same function
        ModelProto folded = OnnxExport.export(net, input, ExportOptions.defaults().withBatch(0).withFoldBatchNorm(true));
        byte[] dynamic = folded.toByteArray();
        keep(name + "-dynamic-folded.onnx", dynamic);
        try (OnnxRuntimeModel ort = new OnnxRuntimeModel(dynamic, 2, layouts)) {
            assertEquals(-1, ort.inputShape()[0], "dynamic batch axis");
            double d = OnnxParity.maxAbsDifference(net, ort, photo);
            assertTrue(d <= TOLERANCE, name + ": max |difference| on a photograph, batch norm folded, batch 1: " + d);
            double d3 = OnnxParity.maxAbsDifference(net, ort, Nd4j.concat(0, random, photo));
            assertTrue(d3 <= TOLERANCE, name + ": batch 3 through the dynamic axis: " + d3);
            System.out.printf(Locale.ROOT, "onnx parity %s: photograph %.2g, random + photograph %.2g%n", name, d, d3);
        }
        Map<String, String> producers = new HashMap<>();
        folded.getGraph().getNodeList().forEach(n -> producers.put(n.getOutput(0), n.getOpType()));
        long left = folded.getGraph().getNodeList().stream().filter(n -> n.getOpType().equals("BatchNormalization")
                && producers.getOrDefault(n.getInput(0), "").startsWith("Conv")).count();
        assertEquals(0, left, name + ": batch norms right after a convolution, not folded");
    }

    /**
     * Parameters as a trained network has them. Every weight moves off its initial value by noise of
     * 1% of its layer's scale (batch-norm scales and shifts then differ from 1 and 0), and the
     * running statistics are re-estimated from 16 random images: standard deviations far from the
     * initial 1, some small, where an exporter that mishandles eps or the log-std encoding fails.
     * (A gradient step on DL4J's loss, summed over pixels, drives the plain U-Net and FCN into
     * saturated softmaxes, where any two engines agree exactly.) Fewer images leave the batch norms
     * over DeepLab's 1x1 pooled maps with the variance of a handful of values, which amplifies
     * float32 rounding past 1e-4 in either engine.
     */
    static void trained(ComputationGraph net, ModelSpec spec, ModelConfig cfg) {
        Nd4j.getRandom().setSeed(9);
        for (org.deeplearning4j.nn.api.Layer l : net.getLayers()) {
            for (INDArray p : l.paramTable().values()) {
                double scale = Math.max(p.stdNumber().doubleValue(), Math.abs(p.meanNumber().doubleValue()));
                p.addi(Nd4j.randn(p.dataType(), p.shape()).muli(0.01 * Math.max(scale, 1e-3)));
            }
        }
        List<INDArray[]> batches = new ArrayList<>();
        for (int seed = 20; seed < 24; seed++) {
            batches.add(new INDArray[] {SingleProcessBenchmark.randomBatch(spec.task(), cfg, 4, seed).getFeatures(0)});
        }
        BatchNormStatistics.recompute(net, batches.iterator(), batches.size());
    }

    /** Whether fewer than a tenth of the network's probabilities lie off 0 and 1 (where two engines agree trivially). */
    static boolean saturated(ComputationGraph net, INDArray x) {
        INDArray p = net.output(false, x)[0];
        double open = p.gt(1e-6).castTo(DataType.FLOAT).mul(p.lt(1 - 1e-6).castTo(DataType.FLOAT)).sumNumber().doubleValue();
        return open < 0.1 * p.length();
    }

    private static void keep(String file, byte[] bytes) throws IOException {
        Path p = dir.resolve(file);
        Files.write(p, bytes);
        EXPORTED.add(p);
    }

    @AfterAll
    static void theOnnxCheckerAcceptsEveryFile() throws IOException {
        assertNull(OnnxChecker.checkIfInstalled(EXPORTED, System.getenv("CI") != null), "onnx.checker.check_model(full_check=True)");
    }

    @Test
    void normalisationBuiltIntoTheGraphTakesPixelValues() throws IOException {
        ModelConfig cfg = new ModelConfig(3, 64, 64, 1.0, 42);
        ComputationGraph net = ModelRegistry.build("unet-mobilenetv2", cfg);
        InputType.InputTypeConvolutional input = (InputType.InputTypeConvolutional) InputType.convolutional(64, 64, 3);
        float[] mean = {124f, 116f, 104f}, std = {58f, 57f, 57f};
        INDArray pixels = photoPixels(64, 64);
        INDArray normalised = pixels.sub(Nd4j.createFromArray(mean).reshape(1, 3, 1, 1))
                .div(Nd4j.createFromArray(std).reshape(1, 3, 1, 1));
        for (InputNormalization n : List.of(new InputNormalization(false, mean, std), new InputNormalization(true, null, null))) {
            INDArray expected = n.perImage() ? perImage(pixels) : normalised;
            byte[] bytes = OnnxExport.export(net, input, ExportOptions.defaults().withNormalization(n)
                    .withMetadata(Map.of("segspark.task", "segmentation"))).toByteArray();
            try (OnnxRuntimeModel ort = new OnnxRuntimeModel(bytes, 2)) {
                float[] p = pixels.dup('c').reshape(-1).toFloatVector();
                OnnxRuntimeModel.Output out = ort.run(p, pixels.shape());
                float[] want = net.output(false, expected)[0].dup('c').reshape(-1).toFloatVector();
                double max = 0;
                for (int i = 0; i < want.length; i++) {
                    max = Math.max(max, Math.abs(want[i] - out.values()[i]));
                }
                assertTrue(max <= TOLERANCE, (n.perImage() ? "per-image" : "dataset") + " normalisation in the graph: " + max);
                assertEquals("segmentation", ort.metadata().get("segspark.task"));
            }
        }
    }

    @Test
    void aLayerWithNoTranslationFailsWithItsNameAndType() {
        ComputationGraphConfiguration conf = ModelRegistry.defaultBase(1).graphBuilder().addInputs("input")
                .setInputTypes(InputType.convolutional(16, 16, 3))
                .addLayer("nearest_up", new Upsampling2D.Builder(2).build(), "input")
                .addLayer("output", new org.deeplearning4j.nn.conf.layers.CnnLossLayer.Builder()
                        .activation(GraphAssembler.IDENTITY).build(), "nearest_up")
                .setOutputs("output").build();
        ComputationGraph net = new ComputationGraph(conf);
        net.init();
        UnsupportedLayerException e = assertThrows(UnsupportedLayerException.class, () -> OnnxExport.export(net,
                (InputType.InputTypeConvolutional) InputType.convolutional(16, 16, 3), ExportOptions.defaults()));
        assertTrue(e.getMessage().contains("\"nearest_up\"") && e.getMessage().contains("Upsampling2D"), e.getMessage());
    }

    @Test
    void graphInputsOutputsAndOpsetAreAsDocumented() throws IOException {
        ModelConfig cfg = new ModelConfig(5, 32, 32, 1.0, 42);
        ComputationGraph net = ModelRegistry.build("mobilenet-v2", cfg);
        ModelProto m = OnnxExport.export(net, (InputType.InputTypeConvolutional) InputType.convolutional(32, 32, 3),
                ExportOptions.defaults().withOpset(13).withBatch(8));
        assertEquals(13, m.getOpsetImport(0).getVersion());
        assertEquals(7, m.getIrVersion());
        assertEquals(OnnxExport.INPUT, m.getGraph().getInput(0).getName());
        assertEquals(OnnxExport.OUTPUT, m.getGraph().getOutput(0).getName());
        assertEquals(List.of(8L, 5L), m.getGraph().getOutput(0).getType().getTensorType().getShape().getDimList().stream()
                .map(d -> d.getDimValue()).toList());
        NodeProto last = m.getGraph().getNode(m.getGraph().getNodeCount() - 1);
        assertEquals("Softmax", last.getOpType());
        assertEquals(OnnxExport.OUTPUT, last.getOutput(0));
    }

    @Test
    void aSegmentationSoftmaxIsReductionsOverTheChannels() {
        ModelConfig cfg = ModelRegistry.get("deeplabv3plus-mobilenetv2").defaults().withInput(32, 32);
        ComputationGraph net = ModelRegistry.build("deeplabv3plus-mobilenetv2", cfg);
        ModelProto m = OnnxExport.export(net, (InputType.InputTypeConvolutional) InputType.convolutional(32, 32, 3),
                ExportOptions.serving());
        List<String> ops = m.getGraph().getNodeList().stream().map(NodeProto::getOpType).toList();
        assertFalse(ops.contains("Softmax"), ops.toString());
        assertEquals(List.of("ReduceMax", "Sub", "Exp", "ReduceSum", "Div"), ops.subList(ops.size() - 5, ops.size()));
        NodeProto max = m.getGraph().getNode(ops.size() - 5);
        assertEquals(List.of(1L), max.getAttribute(0).getIntsList());
        assertEquals(OnnxExport.OUTPUT, m.getGraph().getNode(ops.size() - 1).getOutput(0));
    }

    /** The photograph scaled to h x w, pixel values 0-255, [1, 3, h, w]. */
    static INDArray photoPixels(int h, int w) throws IOException {
        BufferedImage src = ImageIO.read(PHOTO.toFile());
        BufferedImage img = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = img.createGraphics();
        g.setRenderingHint(RenderingHints.KEY_INTERPOLATION, RenderingHints.VALUE_INTERPOLATION_BILINEAR);
        g.drawImage(src, 0, 0, w, h, null);
        g.dispose();
        float[] v = new float[3 * h * w];
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                int rgb = img.getRGB(x, y);
                v[y * w + x] = (rgb >> 16) & 0xff;
                v[h * w + y * w + x] = (rgb >> 8) & 0xff;
                v[2 * h * w + y * w + x] = rgb & 0xff;
            }
        }
        return Nd4j.create(v, new long[] {1, 3, h, w}, 'c');
    }

    /** The photograph as the networks see it after training's default normalisation. */
    static INDArray photo(int h, int w) throws IOException {
        return photoPixels(h, w).sub(127.5).div(64);
    }

    private static INDArray perImage(INDArray pixels) {
        INDArray mean = pixels.mean(true, 2, 3);
        INDArray centred = pixels.sub(mean);
        INDArray std = Transforms.max(Transforms.sqrt(centred.mul(centred).mean(true, 2, 3)), 1.0);
        return centred.div(std);
    }
}
