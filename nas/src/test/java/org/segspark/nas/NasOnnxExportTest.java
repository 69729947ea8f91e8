package org.segspark.nas;

import org.segspark.nas.architecture.NasArchitecture;
import org.segspark.nas.architecture.SizeObjective;
import org.segspark.nas.prune.Pruner;

import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.MultiDataSet;
import org.nd4j.linalg.factory.Nd4j;
import org.segspark.models.ModelConfig;
import org.segspark.models.registry.ModelRegistry;
import org.segspark.models.ModelSpec;
import org.segspark.models.bench.SingleProcessBenchmark;
import org.segspark.models.onnx.ExportOptions;
import org.segspark.models.onnx.OnnxChecker;
import org.segspark.models.onnx.OnnxExport;
import org.segspark.models.onnx.OnnxParity;
import org.segspark.models.onnx.OnnxRuntimeModel;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The two searchable registry models (soft gates and depth mixtures after a training step), the
 * search network at its decisions, and the networks pruning makes of it (channel counts differing
 * per layer, steps and U-Net levels dropped) run in ONNX Runtime as in DL4J, within 1e-4; the
 * files pass the onnx package's checker.
 */
class NasOnnxExportTest {
    private static final double TOLERANCE = 1e-4;
    private static final List<Path> EXPORTED = new ArrayList<>();
    private static final InputType.InputTypeConvolutional INPUT =
            (InputType.InputTypeConvolutional) InputType.convolutional(PruningTest.H, PruningTest.W, 3);

    @TempDir
    static Path dir;

    @BeforeAll
    static void clear() {
        EXPORTED.clear();
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"nas-unet", "nas-classifier"})
    void searchableRegistryModelsMatchDl4j(String name) throws IOException {
        ModelSpec spec = ModelRegistry.get(name);
        ModelConfig cfg = spec.defaults().withInput(64, 64).withClasses(Math.min(spec.defaults().classes(), 4));
        ComputationGraph net = ModelRegistry.build(name, cfg);
        org.nd4j.linalg.dataset.api.MultiDataSet batch = SingleProcessBenchmark.randomBatch(spec.task(), cfg, 4, 3);
        net.fit(batch);
        INDArray x = batch.getFeatures(0);
        assertMatches(name, net, (InputType.InputTypeConvolutional) InputType.convolutional(64, 64, 3), x);
    }

    @Test
    void prunedUnetsOfBothVariantsAndTheHardMaskedSearchNetworkMatchDl4j() throws IOException {
        for (String variant : List.of(NasArchitecture.GATE, NasArchitecture.NORM)) {
            NasArchitecture a = PruningTest.unet(variant);
            ComputationGraph search = PruningTest.build(a);
            search.fit(PruningTest.segBatch(2, 3, 1));
            PruningTest.pushDecisions(search, a, 5);
            INDArray x = Nd4j.rand(DataType.FLOAT, 2, 3, PruningTest.H, PruningTest.W);
            long searchBytes = assertMatches("search-" + variant, search, INPUT, x);
            assertMatches("hard-" + variant, Pruner.hardMasked(search, a, PruningTest.H, PruningTest.W,
                    ModelRegistry.defaultBase(7)), INPUT, x);
            Pruner.Result pruned = Pruner.prune(search, a, PruningTest.H, PruningTest.W, ModelRegistry.defaultBase(7));
            long prunedBytes = assertMatches("pruned-unet-" + variant, pruned.net(), INPUT, x);
            assertTrue(prunedBytes < searchBytes, variant + ": pruned file " + prunedBytes + " bytes vs " + searchBytes);
        }
    }

    @Test
    void aPrunedClassifierMatchesDl4j() throws IOException {
        NasArchitecture a = NasArchitecture.classifier(3, 4, new int[] {5, 7, 9}, 2, NasArchitecture.GATE,
                new SizeObjective(0.01, 0, "linear"));
        ComputationGraph search = PruningTest.build(a);
        INDArray y = Nd4j.zeros(DataType.FLOAT, 2, 4);
        y.putScalar(0, 1, 1);
        y.putScalar(1, 3, 1);
        search.fit(new MultiDataSet(Nd4j.rand(DataType.FLOAT, 2, 3, PruningTest.H, PruningTest.W), y));
        PruningTest.pushDecisions(search, a, 9);
        Pruner.Result pruned = Pruner.prune(search, a, PruningTest.H, PruningTest.W, ModelRegistry.defaultBase(7));
        assertMatches("pruned-classifier", pruned.net(), INPUT, Nd4j.rand(DataType.FLOAT, 3, 3, PruningTest.H, PruningTest.W));
    }

    /** Exports with a dynamic batch axis, checks parity on {@code x}; returns the file's size. */
    private static long assertMatches(String name, ComputationGraph net, InputType.InputTypeConvolutional input, INDArray x)
            throws IOException {
        byte[] bytes = OnnxExport.export(net, input, ExportOptions.defaults().withBatch(0)).toByteArray();
        Path file = dir.resolve(name + "-" + EXPORTED.size() + ".onnx");
        Files.write(file, bytes);
        EXPORTED.add(file);
        try (OnnxRuntimeModel ort = new OnnxRuntimeModel(bytes, 2)) {
            double d = OnnxParity.maxAbsDifference(net, ort, x);
            assertTrue(d <= TOLERANCE, name + ": max |difference| " + d);
        }
        return bytes.length;
    }

    @AfterAll
    static void theOnnxCheckerAcceptsEveryFile() throws IOException {
        assertNull(OnnxChecker.checkIfInstalled(EXPORTED, System.getenv("CI") != null), "onnx.checker.check_model(full_check=True)");
    }
}
