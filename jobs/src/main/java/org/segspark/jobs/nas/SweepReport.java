package org.segspark.jobs.nas;

import org.segspark.jobs.report.Html;
import org.segspark.core.text.Figures;
import org.segspark.jobs.records.EpochMetrics;
import org.segspark.jobs.report.SvgChart;
import org.segspark.jobs.run.RunDirectory;

import java.io.IOException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.function.ToDoubleFunction;

/**
 * A sweep's report.html: for searches the Pareto front of parameters against the metric; for
 * training trials the metric against the setting they vary and, with successive halving, each
 * trial's curve; then the trials table.
 */
final class SweepReport {
    private SweepReport() {
    }

    /** The finished trials no other finished trial beats on both fewer parameters and a higher metric, by parameters. */
    static List<TrialResult> paretoFront(List<TrialResult> trials) {
        List<TrialResult> ok = new ArrayList<>(trials.stream().filter(TrialResult::measured).toList());
        ok.sort(Comparator.comparingDouble(TrialResult::paramsAfter).thenComparing(t -> -t.metricAfter()));
        List<TrialResult> front = new ArrayList<>();
        double best = Double.NEGATIVE_INFINITY;
        for (TrialResult t : ok) {
            if (t.metricAfter() > best) {
                front.add(t);
                best = t.metricAfter();
            }
        }
        return front;
    }

    static void write(RunDirectory root, SweepResult sweep) throws IOException {
        List<TrialResult> trials = sweep.trials();
        List<TrialResult> ok = trials.stream().filter(TrialResult::measured).toList();
        List<TrialResult> front = paretoFront(trials);
        String metric = ok.isEmpty() ? "metric" : ok.get(0).metric();
        List<String> charts = new ArrayList<>();
        if (sweep.kind().equals("search")) {
            charts.add(Html.svg(SvgChart.lines("Pareto front: " + metric + " after fine-tuning against size",
                            "parameters after pruning", metric)
                    .points("trials", ok.stream().mapToDouble(TrialResult::paramsAfter).toArray(),
                            ok.stream().mapToDouble(TrialResult::metricAfter).toArray())
                    .line("Pareto front", front.stream().mapToDouble(TrialResult::paramsAfter).toArray(),
                            front.stream().mapToDouble(TrialResult::metricAfter).toArray())
                    .render(400), "Each point a trial; the front: no other trial is both smaller and better."));
        } else {
            charts.add(hyperparameterChart(trials, metric));
            String curves = halvingCurves(root, trials, metric);
            if (curves != null) {
                charts.add(curves);
            }
        }
        StringBuilder h = new StringBuilder("<!doctype html><html><head><meta charset=\"utf-8\"><title>segspark sweep</title>")
                .append(Html.STYLE).append("</head><body><h1>segspark sweep</h1><p>")
                .append(Html.esc(String.format(Locale.ROOT, "%s trials, %s; %d finished, %d stopped early, %d failed; %s",
                        sweep.kind(), sweep.mode(), sweep.finished(), sweep.stopped(), sweep.failed(),
                        Figures.duration(sweep.seconds()))))
                .append("</p>").append(String.join("", charts));
        boolean search = sweep.kind().equals("search");
        // a search's trials change size; a training trial's network is what it is, and has no front of its own
        h.append("<h2>Trials</h2><table><tr><th>trial</th><th>status</th>").append(search
                ? "<th>params before</th><th>params after</th><th>MACs after</th><th>" + Html.esc(metric) + " before</th><th>"
                + Html.esc(metric) + " after</th>"
                : "<th>epochs</th><th>params</th><th>MACs</th><th>" + Html.esc(metric) + "</th>")
                .append("<th>time</th><th>on</th>").append(search ? "<th>Pareto</th>" : "").append("</tr>");
        for (TrialResult t : trials) {
            h.append("<tr><td class=\"l\">").append(Html.esc(t.id())).append("</td><td class=\"l\">")
                    .append(Html.esc(t.status() + (t.error() == null ? "" : ": " + t.error())
                            + (t.stopped() == null ? "" : ": " + t.stopped())
                            + (t.skipped() == null ? "" : " (" + t.skipped() + ")"))).append("</td><td>");
            if (search) {
                h.append(count(t.paramsBefore())).append("</td><td>").append(count(t.paramsAfter())).append("</td><td>")
                        .append(count(t.macsAfter())).append("</td><td>").append(fmt(t.metricBefore())).append("</td><td>")
                        .append(fmt(t.metricAfter()));
            } else {
                h.append(t.epochs() == null ? "" : t.epochs()).append("</td><td>").append(count(t.paramsAfter()))
                        .append("</td><td>").append(count(t.macsAfter())).append("</td><td>").append(fmt(t.metricAfter()));
            }
            h.append("</td><td>").append(Figures.duration(t.seconds())).append("</td><td class=\"l\">")
                    .append(Html.esc("executor " + t.executor() + (t.task() == null ? ", from the driver" : ", " + t.task())
                            + ", " + t.device())).append("</td>");
            if (search) {
                h.append("<td>").append(front.contains(t) ? "yes" : "").append("</td>");
            }
            h.append("</tr>");
        }
        h.append("</table></body></html>");
        root.writeText("report.html", h.toString());
    }

    private static String count(Long n) {
        return n == null ? "" : Figures.count(n);
    }

    /**
     * A hyperparameter sweep's trials: the metric against the one numeric setting the trials vary (on
     * a log axis when it spans more than a decade and a half), else against the trial's number.
     */
    static String hyperparameterChart(List<TrialResult> trials, String metric) {
        List<TrialResult> measured = trials.stream().filter(t -> t.metricAfter() != null && t.done()).toList();
        String key = null;
        for (String k : measured.isEmpty() ? List.<String>of() : measured.get(0).settings().keySet()) {
            long distinct = measured.stream().map(t -> t.settings().get(k)).distinct().count();
            if (distinct > 1 && measured.stream().allMatch(t -> t.settings().get(k) instanceof Number)) {
                key = k;
                break;
            }
        }
        String x = key;
        ToDoubleFunction<TrialResult> at = x == null ? t -> trials.indexOf(t) : t -> ((Number) t.settings().get(x)).doubleValue();
        SvgChart chart = SvgChart.lines(metric + " by trial" + (x == null ? "" : ": against " + x),
                x == null ? "trial" : x, metric);
        if (x == null) {
            chart.integerX();
        } else {
            double lo = measured.stream().mapToDouble(at).min().orElse(1), hi = measured.stream().mapToDouble(at).max().orElse(1);
            if (lo > 0 && hi / lo > 30) {
                chart.logX();
            }
        }
        for (boolean finished : List.of(true, false)) {
            List<TrialResult> group = measured.stream().filter(t -> t.ok() == finished).toList();
            if (!group.isEmpty()) {
                chart.points(finished ? "finished" : "stopped early", group.stream().mapToDouble(at).toArray(),
                        group.stream().mapToDouble(TrialResult::metricAfter).toArray());
            }
        }
        return Html.svg(chart.render(380), "Each point a trial, at its last validation " + metric
                + (x == null ? "." : "; the setting the trials vary on the x axis."));
    }

    /** Each training trial's validation metric by epoch (where successive halving stopped it shows), from its history. */
    static String halvingCurves(RunDirectory root, List<TrialResult> trials, String metric) throws IOException {
        if (trials.stream().noneMatch(t -> TrialResult.STOPPED.equals(t.status()))) {
            return null;
        }
        SvgChart chart = SvgChart.lines("Successive halving: validation " + metric + " by epoch", "epoch", metric).integerX();
        for (TrialResult t : trials) {
            String file = "trials/" + t.id() + "/" + RunDirectory.HISTORY;
            if (root.exists(file)) {
                List<EpochMetrics> h = root.readJsonLines(file, EpochMetrics.class);
                chart.line(t.id(), h.stream().mapToDouble(EpochMetrics::epoch).toArray(),
                        h.stream().mapToDouble(e -> e.miou() != null ? e.miou() : e.top1() != null ? e.top1() : Double.NaN)
                                .toArray());
            }
        }
        return Html.svg(chart.render(420), "A line per trial; the short ones were stopped at a rung.");
    }

    private static String fmt(Object o) {
        return o instanceof Number n ? String.format(Locale.ROOT, "%.4g", n.doubleValue()) : Html.esc(o);
    }
}
