package org.segspark.nas;

import org.segspark.nas.architecture.NasLayout;

import org.segspark.nas.architecture.NasArchitecture;
import org.segspark.nas.architecture.SizeObjective;
import org.segspark.nas.graph.NasGraph;
import org.segspark.nas.layers.ChannelGateParams;
import org.segspark.nas.layers.GaussianDepthVertex;
import org.segspark.nas.prune.Pruner;
import org.segspark.models.weights.WeightTransfer;
import org.segspark.nas.size.GraphParams;
import org.segspark.nas.size.NetworkSize;
import org.segspark.nas.size.TiedParameters;

import org.deeplearning4j.nn.graph.ComputationGraph;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.MultiDataSet;
import org.nd4j.linalg.factory.Nd4j;
import org.segspark.models.graph.GraphStats;
import org.segspark.models.registry.ModelRegistry;

import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Pruning against the search network with every relaxation at its decision: the pruned network
 * (channels sliced through residuals, up-convolutions and skip concatenations, steps and U-Net
 * levels removed) computes what the hard-masked search network computes.
 */
class PruningTest {
    static final int H = 16, W = 16;

    static NasArchitecture unet(String variant) {
        return NasArchitecture.unet(3, 3, 6, 1.5, 2, 2, 3, variant, new SizeObjective(0.5, 0.25, "l1"));
    }

    static ComputationGraph build(NasArchitecture a) {
        ComputationGraph net = new ComputationGraph(NasGraph.build(a, H, W, ModelRegistry.defaultBase(7),
                org.segspark.models.graph.GraphAssembler.Implementation.FAST));
        net.init();
        NasModels.initialize(net);
        return net;
    }

    static MultiDataSet segBatch(int n, int classes, long seed) {
        Nd4j.getRandom().setSeed(seed);
        INDArray x = Nd4j.rand(DataType.FLOAT, n, 3, H, W);
        INDArray y = Nd4j.zeros(DataType.FLOAT, n, classes, H, W);
        Random r = new Random(seed);
        for (int i = 0; i < n; i++) {
            for (int h = 0; h < H; h++) {
                for (int w = 0; w < W; w++) {
                    y.putScalar(new int[]{i, r.nextInt(classes), h, w}, 1);
                }
            }
        }
        return new MultiDataSet(x, y);
    }

    /** Scores a pruning can act on: about a third of each cell's channels closed, one step and one level dropped. */
    static void pushDecisions(ComputationGraph net, NasArchitecture a, long seed) {
        Random r = new Random(seed);
        for (TiedParametersGroup g : TiedParametersGroup.gateGroups(a)) {
            INDArray s = Nd4j.create(DataType.FLOAT, 1, g.channels());
            for (int c = 0; c < g.channels(); c++) {
                s.putScalar(0, c, r.nextDouble() < 0.35 ? -0.5 - r.nextDouble() : 0.2 + r.nextDouble());
            }
            for (TiedParameters.Ref ref : g.refs()) {
                GraphParams.param(net, ref).assign(s);
            }
        }
        if (a.variant().equals(NasArchitecture.NORM)) {
            for (NasLayout.CellRef c : NasLayout.cells(a)) {
                INDArray w = GraphParams.param(net, new TiedParameters.Ref(c.prefix() + "_proj", "W"));
                long ch = w.size(0);
                for (int i = 0; i < ch; i += 3) {
                    w.get(org.nd4j.linalg.indexing.NDArrayIndex.point(i)).muli(1e-4);
                }
            }
        }
        for (NasLayout.CellRef c : NasLayout.cells(a)) {
            if ((c.prefix().startsWith("enc1") || c.prefix().startsWith("dec2")) && net.getVertex(c.prefix() + "_depth") != null) {
                GraphParams.param(net, new TiedParameters.Ref(c.prefix() + "_depth", GaussianDepthVertex.DEPTH)).assign(1.2);
            }
        }
        if (a.depthRelaxed()) {
            GraphParams.param(net, new TiedParameters.Ref(NasLayout.NET_DEPTH, GaussianDepthVertex.DEPTH)).assign(1.3);
        }
    }

    static void assertPrunedEqualsHard(NasArchitecture a, ComputationGraph search) {
        ComputationGraph hard = Pruner.hardMasked(search, a, H, W, ModelRegistry.defaultBase(7));
        Pruner.Result pruned = Pruner.prune(search, a, H, W, ModelRegistry.defaultBase(7));
        INDArray x = Nd4j.rand(DataType.FLOAT, 2, 3, H, W);
        INDArray expected = hard.outputSingle(false, x);
        INDArray got = pruned.net().outputSingle(false, x);
        assertArrayEquals(expected.shape(), got.shape());
        double diff = expected.sub(got).amaxNumber().doubleValue();
        assertTrue(diff < 1e-4, "pruned vs hard-masked outputs differ by " + diff);
        long before = pruned.net().numParams();
        assertTrue(before < plainParams(a), "pruning removed nothing: " + before + " vs " + plainParams(a));
    }

    static long plainParams(NasArchitecture a) {
        return GraphStats.of(NasGraph.build(a.withMode(NasArchitecture.PLAIN), H, W, ModelRegistry.defaultBase(7),
                org.segspark.models.graph.GraphAssembler.Implementation.FAST),
                org.deeplearning4j.nn.conf.inputs.InputType.convolutional(H, W, 3)).paramsTotal();
    }

    /**
     * The default size measure reads the network pruning makes: per kept cell (9C + 2) x kept
     * channels x kept steps, over the kept U-Net levels only.
     */
    @Test
    void thePrunedSizeIsWhatThePrunedDefinitionKeeps() {
        NasArchitecture a = unet(NasArchitecture.GATE);
        ComputationGraph net = build(a);
        pushDecisions(net, a, 5);
        NetworkSize.Value v = NetworkSize.of(net, a);
        NasArchitecture kept = Pruner.prunedArchitecture(a, Pruner.decisions(v));
        double expected = 0, full = 0;
        for (boolean encoder : new boolean[] {true, false}) {
            int built = encoder ? a.maxDepth() : a.decoder().size();
            int left = encoder ? kept.maxDepth() : kept.decoder().size();
            for (int j = 1; j <= built; j++) {
                NasArchitecture.Cell def = NasLayout.def(a, encoder, j);
                full += (9.0 * def.channels() + 2) * def.channels() * def.steps();
                if (j <= left) {
                    NasArchitecture.Cell k = NasLayout.def(kept, encoder, j);
                    expected += (9.0 * def.channels() + 2) * k.channels() * k.steps();
                }
            }
        }
        assertEquals(2, kept.maxDepth(), "one level dropped");
        assertEquals(expected, v.size(), 1e-9 * expected);
        assertEquals(full, v.full(), 1e-9 * full);
    }

    @Test
    void prunedUnetEqualsHardMaskedSearchNetworkGateVariant() {
        NasArchitecture a = unet(NasArchitecture.GATE);
        ComputationGraph net = build(a);
        net.fit(segBatch(2, 3, 1));    // running statistics away from their initial values
        pushDecisions(net, a, 5);
        Pruner.Decisions d = Pruner.decisions(net, a);
        assertEquals(2, d.netDepth());
        assertEquals(1, d.steps().get("enc1"));
        assertPrunedEqualsHard(a, net);
    }

    @Test
    void prunedUnetEqualsHardMaskedSearchNetworkNormVariant() {
        NasArchitecture a = unet(NasArchitecture.NORM);
        ComputationGraph net = build(a);
        net.fit(segBatch(2, 3, 2));
        pushDecisions(net, a, 6);
        Pruner.Decisions d = Pruner.decisions(net, a);
        assertEquals(4, d.channels().get("enc1").length, "every third 1x1 row of 6 made tiny");
        assertPrunedEqualsHard(a, net);
    }

    @Test
    void prunedClassifierEqualsHardMaskedSearchNetwork() {
        NasArchitecture a = NasArchitecture.classifier(3, 4, new int[]{5, 7, 9}, 2, NasArchitecture.GATE,
                new SizeObjective(0.01, 0, "linear"));
        ComputationGraph net = build(a);
        INDArray y = Nd4j.zeros(DataType.FLOAT, 2, 4);
        y.putScalar(0, 1, 1);
        y.putScalar(1, 3, 1);
        net.fit(new MultiDataSet(Nd4j.rand(DataType.FLOAT, 2, 3, H, W), y));
        pushDecisions(net, a, 9);
        assertPrunedEqualsHard(a, net);
    }

    @Test
    void tiedCopiesStayEqualAndTheSizeLossReachesTheGates() {
        NasArchitecture a = unet(NasArchitecture.GATE);
        ComputationGraph net = build(a);
        for (int i = 0; i < 3; i++) {
            net.fit(segBatch(2, 3, 10 + i));
        }
        for (java.util.List<TiedParameters.Ref> group : TiedParameters.groups(a)) {
            INDArray first = GraphParams.param(net, group.get(0));
            for (TiedParameters.Ref r : group) {
                assertEquals(first, GraphParams.param(net, r), r + " drifted from " + group.get(0));
            }
        }
        // the gradient difference a size loss makes, at the same parameters and data, is its own gradient
        ComputationGraph without = build(a.withObjective(new SizeObjective(0, 0.25, "l1")));
        without.setParams(net.params());
        MultiDataSet batch = segBatch(2, 3, 20);
        net.setInputs(batch.getFeatures());
        net.setLabels(batch.getLabels());
        net.computeGradientAndScore();
        without.setInputs(batch.getFeatures());
        without.setLabels(batch.getLabels());
        without.computeGradientAndScore();
        NetworkSize.Value v = NetworkSize.of(net, a);
        TiedParameters.Ref gate = new TiedParameters.Ref("enc2_gate0", ChannelGateParams.SCORE);
        INDArray delta = GraphParams.gradient(net, gate).sub(GraphParams.gradient(without, gate));
        INDArray expected = v.gradient().get(gate).mul(H * W).castTo(DataType.FLOAT);    // per pixel, as the loss
        assertTrue(delta.sub(expected).amaxNumber().doubleValue() < 1e-4 * expected.amaxNumber().doubleValue(),
                "size loss gradient on enc2's gates: " + delta + " vs " + v.gradient().get(gate));
    }

    @Test
    void searchPruneSearchAgainFromTheSavedDefinition() {
        NasArchitecture a = unet(NasArchitecture.GATE);
        ComputationGraph net = build(a);
        pushDecisions(net, a, 3);
        Pruner.Result first = Pruner.prune(net, a, H, W, ModelRegistry.defaultBase(7));
        NasArchitecture again = NasArchitecture.fromJson(first.architecture().toJson()).withMode(NasArchitecture.SEARCH);
        assertEquals(first.architecture().withMode(NasArchitecture.SEARCH), again);
        ComputationGraph search2 = build(again);
        WeightTransfer.Report r = WeightTransfer.copyByName(first.net(), search2, true);
        assertTrue(r.copied() > 0);
        // the search network with all gates open and full depths computes the pruned network
        ComputationGraph hard2 = Pruner.hardMasked(search2, again, H, W, ModelRegistry.defaultBase(7));
        INDArray x = Nd4j.rand(DataType.FLOAT, 1, 3, H, W);
        assertTrue(hard2.outputSingle(false, x).sub(first.net().outputSingle(false, x)).amaxNumber().doubleValue() < 1e-4);
        search2.fit(segBatch(2, 3, 4));
        pushDecisions(search2, again, 8);
        Pruner.Result second = Pruner.prune(search2, again, H, W, ModelRegistry.defaultBase(7));
        assertTrue(second.net().numParams() < first.net().numParams());
    }
}
