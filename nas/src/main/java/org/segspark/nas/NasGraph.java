package org.segspark.nas;

import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.segspark.models.graph.GraphAssembler;

import java.util.ArrayList;
import java.util.List;

/**
 * Builds the graph of a {@link NasArchitecture} and names its parts. The names are the contract
 * between the search network, its size loss, pruning and the pruned network: cell {@code P} has
 * {@code P_conv0}/{@code P_bn0} (the block the input enters), {@code P_conv1..steps}/{@code P_bn1..steps},
 * {@code P_depth} (the depth mixture), {@code P_proj} (1x1), {@code P_add}, and in search and hard
 * mode the gates {@code P_gate0..steps} and {@code P_gateout}. Encoder cells are {@code enc<j>};
 * decoder cells {@code dec<j>} in a plain network and {@code dec<j>_p<d>} in the copy that serves
 * U-Net depth d (the copies of one level share their parameters: see {@link TiedParameters}).
 */
public final class NasGraph {
    public static final String INPUT = "input";
    public static final String OBJECTIVE = "size_loss";
    public static final String NET_DEPTH = "netdepth";
    public static final String HEAD = "head";
    public static final String OUTPUT = "output";

    private NasGraph() {
    }

    /** A cell in the graph: its name prefix, encoder or decoder, its level, and the U-Net depth it serves (0: any). */
    public record CellRef(String prefix, boolean encoder, int level, int path) {
    }

    /** The U-Net depths the graph computes. */
    public static List<Integer> paths(NasArchitecture a) {
        List<Integer> out = new ArrayList<>();
        for (int d = a.depthRelaxed() ? a.minDepth() : a.maxDepth(); d <= a.maxDepth(); d++) {
            out.add(d);
        }
        return out;
    }

    public static String encoder(int level) {
        return "enc" + level;
    }

    public static String decoder(NasArchitecture a, int level, int path) {
        return a.plain() ? "dec" + level : "dec" + level + "_p" + path;
    }

    public static String up(NasArchitecture a, int level, int path) {
        return a.plain() ? "up" + level : "up" + level + "_p" + path;
    }

    /** Every cell instance of the graph (decoder cells once per U-Net depth that uses them). */
    public static List<CellRef> cells(NasArchitecture a) {
        List<CellRef> out = new ArrayList<>();
        for (int j = 1; j <= a.maxDepth(); j++) {
            out.add(new CellRef(encoder(j), true, j, 0));
        }
        if (a.isUnet()) {
            for (int d : paths(a)) {
                for (int j = d - 1; j >= 1; j--) {
                    out.add(new CellRef(decoder(a, j, d), false, j, d));
                }
            }
        }
        return out;
    }

    /** The copy of a cell whose parameters stand for all its copies: encoder cells, decoder cells of the deepest U-Net. */
    public static String canonical(NasArchitecture a, boolean encoder, int level) {
        return encoder ? encoder(level) : decoder(a, level, a.maxDepth());
    }

    public static NasArchitecture.Cell def(NasArchitecture a, boolean encoder, int level) {
        return (encoder ? a.encoder() : a.decoder()).get(level - 1);
    }

    /** Gate layer names of a cell instance (search and hard mode). */
    public static List<String> gates(String prefix, int steps) {
        List<String> g = new ArrayList<>();
        for (int i = 0; i <= steps; i++) {
            g.add(prefix + "_gate" + i);
        }
        g.add(prefix + "_gateout");
        return g;
    }

    /** Whether the graph has gate layers: the gate variant while searching, both variants in hard mode. */
    public static boolean gated(NasArchitecture a) {
        return a.mode().equals(NasArchitecture.HARD) || (a.searching() && a.variant().equals(NasArchitecture.GATE));
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
        ComputationGraphConfiguration.GraphBuilder g = base.graphBuilder().addInputs(INPUT)
                .setInputTypes(InputType.convolutional(height, width, a.inChannels()));
        GraphAssembler asm = new GraphAssembler(g, impl);
        boolean gated = gated(a);
        boolean hard = a.mode().equals(NasArchitecture.HARD);
        String x = INPUT;
        if (a.searching()) {
            // first in topological order, so its backward pass runs after every layer has written its gradient
            g.addVertex(OBJECTIVE, new SizeLossVertex(a, height, width), INPUT);
            x = OBJECTIVE;
        }
        String[] enc = new String[a.maxDepth() + 1];
        int c = a.inChannels();
        for (int j = 1; j <= a.maxDepth(); j++) {
            if (j > 1) {
                x = asm.maxPool("pool" + (j - 1), x, 2, 2);
            }
            NasArchitecture.Cell cell = a.encoder().get(j - 1);
            x = cell(asm, encoder(j), x, c, cell, a, gated, hard);
            enc[j] = x;
            c = cell.channels();
        }
        if (!a.isUnet()) {
            String p = asm.globalAvgPool("gap", x, false);
            asm.softmaxOutput(OUTPUT, p, c, a.classes());
            g.setOutputs(OUTPUT);
            return g.build();
        }
        List<String> outs = new ArrayList<>();
        for (int d : paths(a)) {
            String y = enc[d];
            int cy = a.encoder().get(d - 1).channels();
            for (int j = d - 1; j >= 1; j--) {
                NasArchitecture.Cell cell = a.decoder().get(j - 1);
                String upName = up(a, j, d);
                String u = asm.deconv(upName, y, cy, cell.channels(), 2, 2, 0, true);
                if (gated) {
                    // the up-convolution's channels are the decoder cell's: pruned with its gate
                    u = asm.layer(upName + "_gate", gate(a, cell.channels(), hard), u);
                }
                String cat = asm.concat(decoder(a, j, d) + "_cat", u, enc[j]);
                y = cell(asm, decoder(a, j, d), cat, cell.channels() + a.encoder().get(j - 1).channels(), cell, a, gated, hard);
                cy = cell.channels();
            }
            outs.add(y);
        }
        String last = outs.get(0);
        if (outs.size() > 1) {
            g.addVertex(NET_DEPTH, depth(a, outs.size(), hard), outs.toArray(new String[0]));
            last = NET_DEPTH;
        }
        String logits = asm.conv(HEAD, last, a.decoder().get(0).channels(), a.classes(), 1, 1, 0, true);
        asm.pixelSoftmaxOutput(OUTPUT, logits);
        g.setOutputs(OUTPUT);
        return g.build();
    }

    private static LearnableChannelGate gate(NasArchitecture a, int channels, boolean hard) {
        LearnableChannelGate g = new LearnableChannelGate(channels, hard);
        if (a.searching()) {
            g.setIUpdater(new org.nd4j.linalg.learning.config.Adam(a.archLr()));
            g.setBiasUpdater(new org.nd4j.linalg.learning.config.Adam(a.archLr()));
        }
        return g;
    }

    private static GaussianDepthVertex depth(NasArchitecture a, int choices, boolean hard) {
        GaussianDepthVertex v = new GaussianDepthVertex(choices, choices, hard);
        return a.searching() ? v.withUpdater(new org.nd4j.linalg.learning.config.Adam(a.archLr())) : v;
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
