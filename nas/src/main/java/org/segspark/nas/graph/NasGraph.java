package org.segspark.nas.graph;

import org.nd4j.linalg.learning.config.Adam;

import org.segspark.nas.architecture.NasLayout;

import org.segspark.nas.architecture.NasArchitecture;
import org.segspark.nas.layers.GaussianDepthVertex;
import org.segspark.nas.layers.LearnableChannelGate;
import org.segspark.nas.size.SizeLossVertex;

import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.segspark.models.graph.GraphAssembler;

import java.util.ArrayList;
import java.util.List;

/**
 * Builds the graph of a {@link NasArchitecture}, its parts named by {@link NasLayout}.
 */
public final class NasGraph {
    private NasGraph() {
    }

    public static ComputationGraphConfiguration build(NasArchitecture a, int height, int width,
                                                      NeuralNetConfiguration.Builder base,
                                                      GraphAssembler.Implementation impl) {
        int levels = a.maxDepth() - (a.isUnet() ? 1 : 0);
        int stride = 1 << Math.max(0, levels);
        if (height % stride != 0 || width % stride != 0) {
            throw new IllegalArgumentException("nas-" + a.kind() + " of depth " + a.maxDepth() + " needs input height and "
                    + "width divisible by " + stride + ", got " + height + "x" + width);
        }
        ComputationGraphConfiguration.GraphBuilder g = base.graphBuilder().addInputs(NasLayout.INPUT)
                .setInputTypes(InputType.convolutional(height, width, a.inChannels()));
        GraphAssembler asm = new GraphAssembler(g, impl);
        boolean gated = NasLayout.gated(a);
        boolean hard = a.mode().equals(NasArchitecture.HARD);
        String x = NasLayout.INPUT;
        if (a.searching()) {
            // first in topological order, so its backward pass runs after every layer has written its gradient
            g.addVertex(NasLayout.OBJECTIVE, new SizeLossVertex(a, height, width), NasLayout.INPUT);
            x = NasLayout.OBJECTIVE;
        }
        String[] enc = new String[a.maxDepth() + 1];
        int c = a.inChannels();
        for (int j = 1; j <= a.maxDepth(); j++) {
            if (j > 1) {
                x = asm.maxPool("pool" + (j - 1), x, 2, 2);
            }
            NasArchitecture.Cell cell = a.encoder().get(j - 1);
            x = cell(asm, NasLayout.encoder(j), x, c, cell, a, gated, hard);
            enc[j] = x;
            c = cell.channels();
        }
        if (!a.isUnet()) {
            String p = asm.globalAvgPool("gap", x, false);
            asm.softmaxOutput(NasLayout.OUTPUT, p, c, a.classes());
            g.setOutputs(NasLayout.OUTPUT);
            return g.build();
        }
        List<String> outs = new ArrayList<>();
        for (int d : NasLayout.paths(a)) {
            String y = enc[d];
            int cy = a.encoder().get(d - 1).channels();
            for (int j = d - 1; j >= 1; j--) {
                NasArchitecture.Cell cell = a.decoder().get(j - 1);
                String upName = NasLayout.up(a, j, d);
                String u = asm.deconv(upName, y, cy, cell.channels(), 2, 2, 0, true);
                if (gated) {
                    // the up-convolution's channels are the decoder cell's: pruned with its gate
                    u = asm.layer(upName + "_gate", gate(a, cell.channels(), hard), u);
                }
                String cat = asm.concat(NasLayout.decoder(a, j, d) + "_cat", u, enc[j]);
                y = cell(asm, NasLayout.decoder(a, j, d), cat, cell.channels() + a.encoder().get(j - 1).channels(), cell, a, gated, hard);
                cy = cell.channels();
            }
            outs.add(y);
        }
        String last = outs.get(0);
        if (outs.size() > 1) {
            g.addVertex(NasLayout.NET_DEPTH, depth(a, outs.size(), hard), outs.toArray(new String[0]));
            last = NasLayout.NET_DEPTH;
        }
        String logits = asm.conv(NasLayout.HEAD, last, a.decoder().get(0).channels(), a.classes(), 1, 1, 0, true);
        asm.pixelSoftmaxOutput(NasLayout.OUTPUT, logits);
        g.setOutputs(NasLayout.OUTPUT);
        return g.build();
    }

    private static LearnableChannelGate gate(NasArchitecture a, int channels, boolean hard) {
        LearnableChannelGate g = new LearnableChannelGate(channels, hard);
        if (a.searching()) {
            g.setIUpdater(new Adam(a.archLr()));
            g.setBiasUpdater(new Adam(a.archLr()));
        }
        return g;
    }

    private static GaussianDepthVertex depth(NasArchitecture a, int choices, boolean hard) {
        GaussianDepthVertex v = new GaussianDepthVertex(choices, choices, hard);
        return a.searching() ? v.withUpdater(new Adam(a.archLr())) : v;
    }

    private static String cell(GraphAssembler asm, String p, String in, int nIn, NasArchitecture.Cell cell,
                               NasArchitecture a, boolean gated, boolean hard) {
        int ch = cell.channels();
        String x0 = asm.conv(p + "_conv0", in, nIn, ch, 3, 1, 1, false);
        x0 = asm.batchNorm(p + "_bn0", x0, ch, GraphAssembler.RELU);
        if (gated) {
            x0 = asm.layer(p + "_gate0", gate(a, ch, hard), x0);
        }
        String x = x0;
        List<String> outs = new ArrayList<>();
        for (int i = 1; i <= cell.steps(); i++) {
            x = asm.conv(p + "_conv" + i, x, ch, ch, 3, 1, 1, false);
            x = asm.batchNorm(p + "_bn" + i, x, ch, GraphAssembler.RELU);
            if (gated) {
                x = asm.layer(p + "_gate" + i, gate(a, ch, hard), x);
            }
            outs.add(x);
        }
        String mixed = x;
        if (cell.steps() > 1 && !a.plain()) {
            asm.builder().addVertex(p + "_depth", depth(a, cell.steps(), hard),
                    outs.toArray(new String[0]));
            mixed = p + "_depth";
        }
        String proj = asm.conv(p + "_proj", mixed, ch, ch, 1, 1, 0, true);
        proj = asm.activation(p + "_proj_relu", proj, GraphAssembler.RELU);
        if (gated) {
            proj = asm.layer(p + "_gateout", gate(a, ch, hard), proj);
        }
        return asm.add(p + "_add", x0, proj);
    }
}
