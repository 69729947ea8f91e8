package org.segspark.nas.size;

import org.segspark.nas.architecture.NasLayout;

import org.segspark.nas.architecture.NasArchitecture;
import org.segspark.nas.layers.ChannelGateParams;
import org.segspark.nas.layers.GaussianDepthVertex;

import java.util.ArrayList;
import java.util.List;

/**
 * Parameters that are one parameter in the search network's mathematics but several arrays in
 * its DL4J graph: a cell's gate, applied at every internal point of the cell (and to the
 * up-convolution feeding a decoder cell), and a decoder cell's weights, computed once per U-Net
 * depth. DL4J has no shared weights, so the copies start equal and receive the sum of their
 * gradients each step (what one shared array would receive); the updater, the averaging and the
 * encoded gradient sharing then keep them equal. Batch norm running statistics are not tied: each
 * copy normalises the activations it sees.
 */
public final class TiedParameters {
    private TiedParameters() {
    }

    /** A parameter of a layer or vertex. */
    public record Ref(String owner, String key) {
    }

    /** Every group of tied parameters (two or more members each). */
    public static List<List<Ref>> groups(NasArchitecture a) {
        List<List<Ref>> out = new ArrayList<>();
        if (a.plain()) {
            return out;
        }
        boolean gated = NasLayout.gated(a);
        for (int j = 1; j <= a.maxDepth(); j++) {
            if (gated) {
                addIfShared(out, gateRefs(List.of(NasLayout.encoder(j)), a.encoder().get(j - 1).steps(), List.of()));
            }
        }
        if (!a.isUnet()) {
            return out;
        }
        for (int j = 1; j < a.maxDepth(); j++) {
            List<String> copies = new ArrayList<>();
            List<String> ups = new ArrayList<>();
            for (int d : NasLayout.paths(a)) {
                if (d > j) {
                    copies.add(NasLayout.decoder(a, j, d));
                    ups.add(NasLayout.up(a, j, d));
                }
            }
            int steps = a.decoder().get(j - 1).steps();
            if (gated) {
                addIfShared(out, gateRefs(copies, steps, ups));
            }
            List<String[]> params = new ArrayList<>();
            for (int i = 0; i <= steps; i++) {
                params.add(new String[]{"_conv" + i, "W"});
                params.add(new String[]{"_bn" + i, "gamma"});
                params.add(new String[]{"_bn" + i, "beta"});
            }
            params.add(new String[]{"_proj", "W"});
            params.add(new String[]{"_proj", "b"});
            if (steps > 1) {
                params.add(new String[]{"_depth", GaussianDepthVertex.DEPTH});
            }
            for (String[] p : params) {
                List<Ref> g = new ArrayList<>();
                for (String copy : copies) {
                    g.add(new Ref(copy + p[0], p[1]));
                }
                addIfShared(out, g);
            }
            for (String key : List.of("W", "b")) {
                addIfShared(out, ups.stream().map(u -> new Ref(u, key)).toList());
            }
        }
        return out;
    }

    private static List<Ref> gateRefs(List<String> copies, int steps, List<String> ups) {
        List<Ref> g = new ArrayList<>();
        for (String copy : copies) {
            for (String gate : NasLayout.gates(copy, steps)) {
                g.add(new Ref(gate, ChannelGateParams.SCORE));
            }
        }
        for (String u : ups) {
            g.add(new Ref(u + "_gate", ChannelGateParams.SCORE));
        }
        return g;
    }

    private static void addIfShared(List<List<Ref>> out, List<Ref> group) {
        if (group.size() > 1) {
            out.add(List.copyOf(group));
        }
    }
}
