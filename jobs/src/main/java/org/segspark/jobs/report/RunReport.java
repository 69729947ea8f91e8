package org.segspark.jobs.report;

import org.segspark.jobs.eval.ConfusionMatrix;
import org.segspark.jobs.eval.Evaluation;
import org.segspark.jobs.records.EpochMetrics;
import org.segspark.jobs.records.EpochTiming;
import org.segspark.jobs.records.SharingFigures;
import org.segspark.models.ReportSection;

import org.segspark.core.text.Figures;

import java.awt.Color;
import java.nio.charset.StandardCharsets;
import java.awt.image.BufferedImage;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

import static org.segspark.jobs.report.Html.esc;

/**
 * The run report: one self-contained HTML page (charts as inline SVG, images inlined) with the
 * run's provenance, loss and metric curves, per-class IoU bars, the row-normalised confusion
 * heatmap and a grid of predictions over their images with the classes' colours. The figures are
 * also returned as files (SVG charts, the PNG predictions grid) for notebooks.
 */
public final class RunReport {
    private RunReport() {
    }

    /** Everything the page shows. */
    public record Input(String title, Map<String, String> header, String configText, List<String> classes,
                        boolean segmentation, List<EpochMetrics> history, ConfusionMatrix confusion,
                        List<Evaluation.Sample> samples, List<EpochTiming> timings, List<ReportSection> sections) {
    }

    /** The page and its figures (file name -> PNG). */
    public record Output(String html, Map<String, byte[]> figures) {
    }

    /**
     * Where each epoch's worker time went: compute, update, and the rest (distribution: broadcast,
     * worker setup, shipping and averaging parameters, waiting), with DL4J's parameter-averaging
     * statistics summed over the epochs.
     */
    private static void timings(StringBuilder h, List<EpochTiming> timings) {
        if (timings == null || timings.isEmpty()) {
            return;
        }
        h.append("<h2>Where training time went</h2><p>Share of the workers' time (wall time &times; workers) spent "
                + "loading batches and computing forward/backward passes, in the updater (with gradient sharing: "
                + "encoding and applying shared updates), and in everything else: broadcasting the network, building "
                + "worker models, shipping and averaging parameters, waiting for the slowest worker.</p>"
                + "<table><tr><th>epoch</th><th>mode</th><th>workers</th><th>wall s</th><th>compute</th><th>update</th>"
                + "<th>distribution and waiting</th></tr>");
        Map<String, long[]> dl4j = new TreeMap<>();
        for (EpochTiming t : timings) {
            h.append("<tr><td>").append(t.epoch()).append("</td><td>").append(esc(t.mode())).append("</td><td>")
                    .append(t.workers()).append("</td><td>").append(String.format(Locale.ROOT, "%.1f", t.wallSeconds()))
                    .append("</td><td>").append(pct(t.computeShare())).append("</td><td>").append(pct(t.updateShare()))
                    .append("</td><td>").append(pct(t.otherShare())).append("</td></tr>");
            if (t.dl4j() != null) {
                t.dl4j().forEach((k, v) -> {
                    long[] sum = dl4j.computeIfAbsent(k, x -> new long[2]);
                    sum[0] += v.events();
                    sum[1] += v.totalMs();
                });
            }
        }
        h.append("</table>");
        if (timings.stream().anyMatch(t -> t.sharing() != null)) {
            h.append("<p>Gradient sharing: every step the workers summed their updates (a ring all-reduce) and each "
                    + "applied the sum; the workers' parameters compared at the end of each epoch. Of the exchange, "
                    + "packing is the workers' own work (values into bytes and back, adding); copies are between ND4J's "
                    + "arrays and the exchange.</p><table><tr><th>epoch</th>"
                    + "<th>steps per worker</th><th>MB sent per step per worker</th><th>exchange s (all workers)</th>"
                    + "<th>of which packing s</th><th>copies s</th><th>workers agree</th></tr>");
            for (EpochTiming t : timings) {
                if (t.sharing() != null) {
                    SharingFigures m = t.sharing();
                    h.append("<tr><td>").append(t.epoch()).append("</td><td>").append(m.stepsPerWorker())
                            .append("</td><td>").append(String.format(Locale.ROOT, "%.2f", m.bytesPerStep() / 1e6))
                            .append("</td><td>").append(String.format(Locale.ROOT, "%.1f", m.exchangeSeconds()))
                            .append("</td><td>").append(num1(m.packingSeconds()))
                            .append("</td><td>").append(num1(m.conversionSeconds()))
                            .append("</td><td>").append(m.workersAgree() ? "yes, bit for bit"
                                    : esc("no: up to " + m.maxParameterDifference())).append("</td></tr>");
                }
            }
            h.append("</table>");
        }
        if (!dl4j.isEmpty()) {
            h.append("<p>DL4J's parameter-averaging statistics over all epochs, longest first (worker events summed over "
                    + "workers):</p><table><tr><th class=\"l\">event</th><th>count</th><th>total s</th><th>mean ms</th></tr>");
            dl4j.entrySet().stream().sorted((a, b) -> Long.compare(b.getValue()[1], a.getValue()[1])).forEach(e -> {
                long[] v = e.getValue();
                h.append("<tr><td class=\"l\">").append(esc(eventName(e.getKey()))).append("</td><td>").append(v[0])
                        .append("</td><td>").append(String.format(Locale.ROOT, "%.1f", v[1] / 1000.0)).append("</td><td>")
                        .append(String.format(Locale.ROOT, "%.1f", v[0] == 0 ? 0 : v[1] / (double) v[0])).append("</td></tr>");
            });
            h.append("</table>");
        }
    }

    /** A section a model contributes (a search's size, channels and depths per epoch): its charts, then its tables. */
    private static void section(StringBuilder h, Map<String, byte[]> figures, ReportSection s) {
        h.append("<h2>").append(esc(s.title())).append("</h2><p>").append(esc(s.intro())).append("</p>");
        for (ReportSection.Chart c : s.charts()) {
            SvgChart chart = SvgChart.lines(c.title(), c.xLabel(), "").integerX();
            c.series().forEach(line -> chart.line(line.name(), c.x(), line.y()));
            String svg = chart.render(c.height());
            figures.put(c.file(), svg.getBytes(StandardCharsets.UTF_8));
            h.append(Html.svg(svg, c.title()));
        }
        for (ReportSection.Table t : s.tables()) {
            if (t.intro() != null) {
                h.append("<p>").append(esc(t.intro())).append("</p>");
            }
            h.append("<table><tr>");
            for (int i = 0; i < t.columns().size(); i++) {
                h.append(i == 0 && t.labelColumn() ? "<th class=\"l\">" : "<th>").append(esc(t.columns().get(i))).append("</th>");
            }
            h.append("</tr>");
            for (List<String> row : t.rows()) {
                h.append("<tr>");
                for (int i = 0; i < row.size(); i++) {
                    h.append(i == 0 && t.labelColumn() ? "<td class=\"l\">" : "<td>").append(esc(row.get(i))).append("</td>");
                }
                h.append("</tr>");
            }
            h.append("</table>");
        }
    }

    /** DL4J's statistic keys in words: ParameterAveragingMasterBroadcastCreateTimesMs -> "master: broadcast create". */
    static String eventName(String key) {
        String k = key.replaceFirst("^ParameterAveraging", "").replaceFirst("(Times?)?(Ms)?$", "");
        String words = k.replaceAll("([a-z0-9])([A-Z])", "$1 $2").toLowerCase(Locale.ROOT);
        return words.replaceFirst("^(master|worker) ", "$1: ");
    }

    private static String num1(Object o) {
        return o instanceof Number n ? String.format(Locale.ROOT, "%.1f", n.doubleValue()) : "-";
    }

    private static String pct(double share) {
        return String.format(Locale.ROOT, "%.0f%%", 100 * share);
    }

    public static Output render(Input in) {
        Map<String, byte[]> figures = new LinkedHashMap<>();
        int n = in.history().size();
        double[] epochs = new double[n], train = new double[n], val = new double[n], score = new double[n],
                acc = new double[n], trainScore = new double[n];
        boolean hasTrainScore = false;
        for (int i = 0; i < n; i++) {
            EpochMetrics e = in.history().get(i);
            epochs[i] = e.epoch();
            train[i] = v(e.trainLoss());
            val[i] = v(e.valLoss());
            score[i] = in.segmentation() ? v(e.miou()) : v(e.top1());
            acc[i] = in.segmentation() ? v(e.pixelAccuracy()) : Double.NaN;
            trainScore[i] = in.segmentation() ? v(e.trainMiou()) : v(e.trainTop1());
            hasTrainScore |= !Double.isNaN(trainScore[i]);
        }
        String lossSvg = SvgChart.lines("Loss per epoch", "epoch",
                        "mean cross-entropy per " + (in.segmentation() ? "pixel" : "image")).integerX()
                .line("train", epochs, train).line("validation", epochs, val).render(340);
        figures.put("loss.svg", lossSvg.getBytes(StandardCharsets.UTF_8));
        SvgChart metric = SvgChart.lines(in.segmentation() ? "mIoU and pixel accuracy per epoch" : "Top-1 accuracy per epoch",
                "epoch", in.segmentation() ? "score" : "top-1").integerX()
                .line(in.segmentation() ? "validation mIoU" : "validation top-1", epochs, score);
        if (in.segmentation()) {
            metric.line("validation pixel accuracy", epochs, acc);
        }
        if (hasTrainScore) {
            metric.line(in.segmentation() ? "train mIoU (sample)" : "train top-1 (sample)", epochs, trainScore);
        }
        String metricSvg = metric.render(340);
        figures.put("metric.svg", metricSvg.getBytes(StandardCharsets.UTF_8));
        if (in.segmentation() && !in.samples().isEmpty()) {
            List<Overlays.Row> rows = new ArrayList<>();
            for (Evaluation.Sample s : in.samples()) {
                rows.add(new Overlays.Row(s.image(), s.truth(), s.predicted(), s.width(), s.height()));
            }
            // small tensors are drawn at least 128 px high, pixels kept square and sharp
            BufferedImage grid = Overlays.grid(rows, Math.max(128, Math.min(192, in.samples().get(0).height() * 2)));
            figures.put("predictions.png", Html.png(grid));
        }

        StringBuilder h = new StringBuilder("<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>")
                .append(esc(in.title())).append("</title>").append(Html.STYLE).append("</head><body>");
        h.append("<h1>").append(esc(in.title())).append("</h1>");
        if (n > 0) {
            EpochMetrics last = in.history().get(n - 1);
            h.append("<p class=\"big\">");
            if (in.segmentation()) {
                h.append("validation mIoU ").append(f(last.miou())).append(" &middot; pixel accuracy ").append(f(last.pixelAccuracy()));
            } else {
                h.append("validation top-1 ").append(f(last.top1()));
                if (last.trainTop1() != null) {
                    h.append(" &middot; train top-1 ").append(f(last.trainTop1()));
                }
            }
            h.append(" &middot; ").append(n).append(" epochs</p>");
        }
        h.append("<h2>Run</h2><table class=\"kv\">");
        in.header().forEach((k, v) -> h.append("<tr><th class=\"l\">").append(esc(k)).append("</th><td>").append(esc(v)).append("</td></tr>"));
        h.append("</table>");
        h.append("<h2>Curves</h2>").append(Html.svg(lossSvg, "Loss: DL4J's cross-entropy divided by the output's pixels "
                + "(per image for classification), training (mean over the epoch's steps) and validation."))
                .append(Html.svg(metricSvg, "Validation metrics after each epoch (batch-norm statistics re-estimated first)."));
        h.append("<h2>Per epoch</h2><table><tr><th>epoch</th><th>train loss</th><th>val loss</th>");
        h.append(in.segmentation() ? "<th>train mIoU</th><th>mIoU</th><th>pixel acc.</th>"
                : "<th>train top-1</th><th>val top-1</th>");
        h.append("<th>train s</th><th>images/s</th></tr>");
        for (EpochMetrics e : in.history()) {
            h.append("<tr><td>").append(e.epoch()).append("</td><td>").append(f(e.trainLoss())).append("</td><td>")
                    .append(f(e.valLoss())).append("</td>");
            if (in.segmentation()) {
                h.append("<td>").append(f(e.trainMiou())).append("</td><td>").append(f(e.miou())).append("</td><td>")
                        .append(f(e.pixelAccuracy())).append("</td>");
            } else {
                h.append("<td>").append(f(e.trainTop1())).append("</td><td>").append(f(e.top1())).append("</td>");
            }
            h.append("<td>").append(String.format(Locale.ROOT, "%.1f", e.trainSeconds())).append("</td><td>")
                    .append(String.format(Locale.ROOT, "%.1f", e.imagesPerSecond())).append("</td></tr>");
        }
        h.append("</table>");
        timings(h, in.timings());
        if (in.confusion() != null) {
            double[] iou = in.confusion().iou();
            long[][] cm = in.confusion().toArray();
            List<String> names = new ArrayList<>();
            double[] perClass = new double[iou.length];
            long[] support = new long[iou.length];
            double[][] shares = new double[iou.length][iou.length];
            for (int c = 0; c < iou.length; c++) {
                names.add(name(in.classes(), c));
                for (long x : cm[c]) {
                    support[c] += x;
                }
                for (int p = 0; p < iou.length; p++) {
                    shares[c][p] = support[c] == 0 ? Double.NaN : cm[c][p] / (double) support[c];
                }
                perClass[c] = in.segmentation() ? iou[c] : (support[c] == 0 ? Double.NaN : (double) cm[c][c] / support[c]);
            }
            String what = in.segmentation() ? "IoU" : "recall";
            String bars = SvgChart.bars((in.segmentation() ? "IoU" : "Recall") + " per class, last epoch", names, perClass,
                    in.segmentation() ? "intersection over union" : "share of the class's images predicted right");
            figures.put("per-class.svg", bars.getBytes(StandardCharsets.UTF_8));
            h.append("<h2>Per-class ").append(what).append("</h2>").append(Html.svg(bars, "Validation " + what
                    + " of each class after the last epoch."));
            h.append("<table><tr><th class=\"l\">class</th><th>").append(what).append("</th><th>support (")
                    .append(in.segmentation() ? "pixels" : "images").append(")</th></tr>");
            for (int c = 0; c < iou.length; c++) {
                h.append("<tr><td class=\"l\">").append(esc(names.get(c))).append("</td><td>").append(f(perClass[c]))
                        .append("</td><td>").append(Figures.count(support[c])).append("</td></tr>");
            }
            String heat = SvgChart.heatmap("Confusion matrix, each row normalised", names, shares, cm);
            figures.put("confusion.svg", heat.getBytes(StandardCharsets.UTF_8));
            h.append("</table><h2>Confusion matrix</h2>").append(Html.svg(heat, "Row: true class; column: predicted class; "
                    + "a cell is the share of the true class's " + (in.segmentation() ? "pixels" : "images")
                    + " predicted as the column's class (ignore-labelled pixels excluded); its count is in the tooltip "
                    + "and in metrics.json."));
        }
        if (!in.segmentation() && !in.samples().isEmpty()) {
            h.append("<h2>Predictions on validation images</h2><table><tr>");
            for (Evaluation.Sample smp : in.samples()) {
                int truth = smp.truth()[0] & 0xff, pred = smp.predicted()[0] & 0xff;
                BufferedImage img = Overlays.rgb(smp.image(), smp.width(), smp.height());
                int scale = Math.max(1, 128 / Math.max(smp.width(), smp.height()));
                BufferedImage big = new BufferedImage(smp.width() * scale, smp.height() * scale, BufferedImage.TYPE_INT_RGB);
                big.createGraphics().drawImage(img, 0, 0, big.getWidth(), big.getHeight(), null);
                h.append("<td class=\"l\">").append(Html.img(Html.png(big), smp.key())).append("<br>true: ")
                        .append(esc(name(in.classes(), truth))).append("<br><span style=\"color:")
                        .append(truth == pred ? "#080" : "#c00").append("\">predicted: ")
                        .append(esc(name(in.classes(), pred))).append("</span></td>");
            }
            h.append("</tr></table>");
        }
        if (figures.containsKey("predictions.png")) {
            h.append("<h2>Predictions on validation images</h2><p>Each row: the image, its true label map and the "
                    + "predicted one, over the image. Legend:");
            for (int c = 1; c < in.classes().size(); c++) {
                Color col = Overlays.classColor(c);
                h.append(String.format(Locale.ROOT, "<span class=\"swatch\" style=\"background:#%02x%02x%02x\"></span>%s",
                        col.getRed(), col.getGreen(), col.getBlue(), esc(in.classes().get(c))));
            }
            h.append("<span class=\"swatch\" style=\"background:#fff\"></span>ignored (hatched); ")
                    .append(esc(name(in.classes(), 0))).append(": unpainted.</p>")
                    .append(Html.img(figures.get("predictions.png"), "predictions"));
        }
        in.sections().forEach(s -> section(h, figures, s));
        h.append("<h2>Configuration</h2><pre>").append(esc(in.configText())).append("</pre>");
        h.append("</body></html>\n");
        return new Output(h.toString(), figures);
    }

    private static String name(List<String> classes, int c) {
        return c < classes.size() ? classes.get(c) : "class " + c;
    }

    private static double v(Double d) {
        return d == null ? Double.NaN : d;
    }

    private static String f(Double d) {
        return d == null || !Double.isFinite(d) ? "&ndash;" : String.format(Locale.ROOT, "%.4f", d);
    }
}
