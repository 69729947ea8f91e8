package org.segspark.jobs.nas;

import org.segspark.jobs.report.Html;
import org.segspark.jobs.report.LineChart;
import org.segspark.jobs.run.RunDirectory;

import java.io.IOException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;

/** A sweep's report.html: the trials table and the Pareto front of parameters against the metric. */
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
        LineChart chart = new LineChart("Pareto front: " + metric + " against parameters", "parameters after pruning")
                .points("trials", ok.stream().mapToDouble(TrialResult::paramsAfter).toArray(),
                        ok.stream().mapToDouble(TrialResult::metricAfter).toArray())
                .series("front", front.stream().mapToDouble(TrialResult::paramsAfter).toArray(),
                        front.stream().mapToDouble(TrialResult::metricAfter).toArray());
        byte[] png = Html.png(chart.render(900, 420));
        root.writeBytes("report/pareto.png", png);
        StringBuilder h = new StringBuilder("<!doctype html><html><head><meta charset=\"utf-8\"><title>segspark sweep</title>")
                .append(Html.STYLE).append("</head><body><h1>segspark sweep</h1><p>")
                .append(Html.esc(String.format(Locale.ROOT, "%s trials, %s; %d finished, %d failed; %.0f s", sweep.kind(),
                        sweep.mode(), sweep.finished(), sweep.failed(), sweep.seconds())))
                .append("</p>").append(Html.img(png, "Pareto front")).append("<h2>Trials</h2><table><tr><th>trial</th><th>status</th>"
                        + "<th>params before</th><th>params after</th><th>MACs after</th><th>")
                .append(Html.esc(metric)).append(" before</th><th>").append(Html.esc(metric))
                .append(" after</th><th>seconds</th><th>on</th><th>Pareto</th></tr>");
        for (TrialResult t : trials) {
            h.append("<tr><td>").append(Html.esc(t.id())).append("</td><td>")
                    .append(Html.esc(t.status() + (t.error() == null ? "" : ": " + t.error())
                            + (t.skipped() == null ? "" : " (" + t.skipped() + ")")))
                    .append("</td><td>").append(Html.esc(t.paramsBefore())).append("</td><td>")
                    .append(Html.esc(t.paramsAfter())).append("</td><td>").append(Html.esc(t.macsAfter()))
                    .append("</td><td>").append(fmt(t.metricBefore())).append("</td><td>").append(fmt(t.metricAfter()))
                    .append("</td><td>").append(fmt(t.seconds())).append("</td><td>")
                    .append(Html.esc("executor " + t.executor() + (t.task() == null ? ", from the driver" : ", " + t.task())
                            + ", " + t.device())).append("</td><td>")
                    .append(front.contains(t) ? "yes" : "").append("</td></tr>");
        }
        h.append("</table></body></html>");
        root.writeText("report.html", h.toString());
    }

    private static String fmt(Object o) {
        return o instanceof Number n ? String.format(Locale.ROOT, "%.4g", n.doubleValue()) : Html.esc(o);
    }
}
