package org.segspark.jobs.nas;

import org.segspark.jobs.report.Html;
import org.segspark.jobs.report.LineChart;
import org.segspark.jobs.run.RunDirectory;

import java.io.IOException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/** A sweep's report.html: the trials table and the Pareto front of parameters against the metric. */
final class SweepReport {
    private SweepReport() {
    }

    /** The finished trials no other finished trial beats on both fewer parameters and a higher metric, by parameters. */
    static List<Map<String, Object>> paretoFront(List<Map<String, Object>> trials) {
        List<Map<String, Object>> ok = new ArrayList<>(trials.stream()
                .filter(t -> "ok".equals(t.get("status")) && t.get("metric_after") != null).toList());
        ok.sort(Comparator.comparingDouble((Map<String, Object> t) -> num(t, "params_after"))
                .thenComparing(t -> -num(t, "metric_after")));
        List<Map<String, Object>> front = new ArrayList<>();
        double best = Double.NEGATIVE_INFINITY;
        for (Map<String, Object> t : ok) {
            if (num(t, "metric_after") > best) {
                front.add(t);
                best = num(t, "metric_after");
            }
        }
        return front;
    }

    @SuppressWarnings("unchecked")
    static void write(RunDirectory root, Map<String, Object> sweep) throws IOException {
        List<Map<String, Object>> trials = (List<Map<String, Object>>) sweep.get("trials");
        List<Map<String, Object>> ok = trials.stream().filter(t -> "ok".equals(t.get("status")) && t.get("metric_after") != null).toList();
        List<Map<String, Object>> front = paretoFront(trials);
        String metric = ok.isEmpty() ? "metric" : String.valueOf(ok.get(0).get("metric"));
        LineChart chart = new LineChart("Pareto front: " + metric + " against parameters", "parameters after pruning")
                .points("trials", ok.stream().mapToDouble(t -> num(t, "params_after")).toArray(),
                        ok.stream().mapToDouble(t -> num(t, "metric_after")).toArray())
                .series("front", front.stream().mapToDouble(t -> num(t, "params_after")).toArray(),
                        front.stream().mapToDouble(t -> num(t, "metric_after")).toArray());
        byte[] png = Html.png(chart.render(900, 420));
        root.writeBytes("report/pareto.png", png);
        StringBuilder h = new StringBuilder("<!doctype html><html><head><meta charset=\"utf-8\"><title>segspark sweep</title>")
                .append(Html.STYLE).append("</head><body><h1>segspark sweep</h1><p>")
                .append(Html.esc(String.format(Locale.ROOT, "%s trials, %s; %d finished, %d failed; %.0f s", sweep.get("kind"),
                        sweep.get("mode"), (Long) sweep.get("finished"), (Long) sweep.get("failed"), (Double) sweep.get("seconds"))))
                .append("</p>").append(Html.img(png, "Pareto front")).append("<h2>Trials</h2><table><tr><th>trial</th><th>status</th>"
                        + "<th>params before</th><th>params after</th><th>MACs after</th><th>")
                .append(Html.esc(metric)).append(" before</th><th>").append(Html.esc(metric))
                .append(" after</th><th>seconds</th><th>on</th><th>Pareto</th></tr>");
        for (Map<String, Object> t : trials) {
            h.append("<tr><td>").append(Html.esc(t.get("id"))).append("</td><td>")
                    .append(Html.esc(t.get("status") + (t.get("error") == null ? "" : ": " + t.get("error"))
                            + (t.get("skipped") == null ? "" : " (" + t.get("skipped") + ")")))
                    .append("</td><td>").append(Html.esc(t.get("params_before"))).append("</td><td>")
                    .append(Html.esc(t.get("params_after"))).append("</td><td>").append(Html.esc(t.get("macs_after")))
                    .append("</td><td>").append(fmt(t.get("metric_before"))).append("</td><td>").append(fmt(t.get("metric_after")))
                    .append("</td><td>").append(fmt(t.get("seconds"))).append("</td><td>")
                    .append(Html.esc("executor " + t.get("executor") + (t.get("task") == null ? ", from the driver" : ", " + t.get("task"))
                            + ", " + t.get("device"))).append("</td><td>")
                    .append(front.contains(t) ? "yes" : "").append("</td></tr>");
        }
        h.append("</table></body></html>");
        root.writeText("report.html", h.toString());
    }

    private static double num(Map<String, Object> t, String key) {
        return ((Number) t.get(key)).doubleValue();
    }

    private static String fmt(Object o) {
        return o instanceof Number n ? String.format(Locale.ROOT, "%.4g", n.doubleValue()) : Html.esc(o);
    }
}
