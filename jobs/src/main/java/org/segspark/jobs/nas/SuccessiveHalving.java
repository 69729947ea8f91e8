package org.segspark.jobs.nas;

import org.segspark.core.text.Figures;

import java.io.IOException;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * Successive halving over training trials: every trial trains for the first rung's epochs, the
 * best 1/eta by validation metric train on (from their checkpoints) to the next rung's, and so on
 * up to train.epochs; the others stop there. Each rung runs like any round of the sweep (one Spark
 * task per trial, or one trial after another on all executors), so most of the budget goes to the
 * trials that look best early.
 */
final class SuccessiveHalving {
    private SuccessiveHalving() {
    }

    /** Trains the trials for {@code epochs} in all, continuing their runs when {@code resume}. */
    interface Round {
        List<TrialResult> run(List<SweepTrial> trials, int epochs, boolean resume) throws IOException;
    }

    /** Keeps a stopped trial's result, so that a rerun does not train it again. */
    interface Record {
        void stopped(TrialResult r) throws IOException;
    }

    /** The rungs' epochs: minEpochs, minEpochs x eta, ... below maxEpochs, then maxEpochs. */
    static List<Integer> rungs(int minEpochs, int eta, int maxEpochs) {
        List<Integer> rungs = new ArrayList<>();
        for (long e = minEpochs; e < maxEpochs; e *= eta) {
            rungs.add((int) e);
        }
        rungs.add(maxEpochs);
        return rungs;
    }

    static List<TrialResult> run(List<SweepTrial> trials, List<Integer> rungs, int eta, Round round, Record record,
                                 PrintStream console) throws IOException {
        Map<String, TrialResult> last = new LinkedHashMap<>();
        List<SweepTrial> alive = trials;
        for (int r = 0; r < rungs.size() && !alive.isEmpty(); r++) {
            int epochs = rungs.get(r);
            console.printf(Locale.ROOT, "sweep: successive halving, rung %d/%d: %d trial%s to %d epoch%s%n", r + 1,
                    rungs.size(), alive.size(), alive.size() == 1 ? "" : "s", epochs, epochs == 1 ? "" : "s");
            for (TrialResult t : round.run(alive, epochs, r > 0)) {
                TrialResult before = last.get(t.id());
                last.put(t.id(), before == null ? t : t.after(before));
            }
            if (r == rungs.size() - 1) {
                break;
            }
            List<TrialResult> ranked = alive.stream().map(t -> last.get(t.id())).filter(TrialResult::measured)
                    .sorted(Comparator.comparingDouble(TrialResult::metricAfter).reversed()).toList();
            int keep = Math.max(1, (int) Math.ceil(alive.size() / (double) eta));
            Set<String> kept = ranked.stream().limit(keep).map(TrialResult::id).collect(Collectors.toSet());
            double cut = ranked.isEmpty() ? Double.NaN : ranked.get(Math.min(keep, ranked.size()) - 1).metricAfter();
            for (TrialResult t : ranked) {
                if (!kept.contains(t.id())) {
                    TrialResult s = t.stoppedBecause(String.format(Locale.ROOT,
                            "rung %d of %d: %s %s after %d epochs, below the best %d of %d (%s and up)", r + 1,
                            rungs.size(), t.metric(), Figures.score(t.metricAfter()), epochs, keep, alive.size(),
                            Figures.score(cut)));
                    last.put(t.id(), s);
                    record.stopped(s);
                }
            }
            alive = alive.stream().filter(t -> kept.contains(t.id())).toList();
        }
        return new ArrayList<>(last.values());
    }
}
