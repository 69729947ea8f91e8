package org.segspark.nas;

import org.segspark.nas.architecture.NasLayout;

import org.segspark.nas.architecture.NasArchitecture;
import org.segspark.nas.layers.ChannelGateParams;
import org.segspark.nas.size.TiedParameters;

import java.util.ArrayList;
import java.util.List;

/** A cell's gate group with its channel count (test helper). */
record TiedParametersGroup(int channels, List<TiedParameters.Ref> refs) {
    static List<TiedParametersGroup> gateGroups(NasArchitecture a) {
        NasArchitecture h = a.withMode(NasArchitecture.HARD);
        List<TiedParametersGroup> out = new ArrayList<>();
        if (!NasLayout.gated(a)) {
            return out;
        }
        for (List<TiedParameters.Ref> g : TiedParameters.groups(a)) {
            if (g.get(0).key().equals(ChannelGateParams.SCORE)) {
                String cell = g.get(0).owner().replaceFirst("_gate0$", "");
                boolean enc = cell.startsWith("enc");
                int level = Integer.parseInt(cell.replaceAll("^(enc|dec)(\\d+).*$", "$2"));
                out.add(new TiedParametersGroup(NasLayout.def(h, enc, level).channels(), g));
            }
        }
        return out;
    }
}
