package org.segspark.nas.architecture;

import java.util.ArrayList;
import java.util.List;

/**
 * The names of the parts of a {@link NasArchitecture}'s graph. The names are the contract
 * between the search network, its size loss, pruning and the pruned network: cell {@code P} has
 * {@code P_conv0}/{@code P_bn0} (the block the input enters), {@code P_conv1..steps}/{@code P_bn1..steps},
 * {@code P_depth} (the depth mixture), {@code P_proj} (1x1), {@code P_add}, and in search and hard
 * mode the gates {@code P_gate0..steps} and {@code P_gateout}. Encoder cells are {@code enc<j>};
 * decoder cells {@code dec<j>} in a plain network and {@code dec<j>_p<d>} in the copy that serves
 * U-Net depth d (the copies of one level share their parameters: see TiedParameters).
 */
public final class NasLayout {
    public static final String INPUT = "input";
    public static final String OBJECTIVE = "size_loss";
    public static final String NET_DEPTH = "netdepth";
    public static final String HEAD = "head";
    public static final String OUTPUT = "output";

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


    private NasLayout() {
    }
}
