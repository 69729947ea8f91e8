package org.segspark.jobs.progress;

import org.segspark.core.text.Figures;

import java.io.PrintStream;
import java.util.Locale;

/**
 * One line of progress for a long stage: done/total, rate and ETA. On a terminal it rewrites
 * itself in place; otherwise (CI, log files) it prints a plain line at most every few seconds.
 */
public final class ProgressLine {
    private final PrintStream out;
    private final boolean terminal;
    private final long plainIntervalNanos;
    private String stage;
    private String unit;
    private long total;
    private long start;
    private long lastPrint;
    private long done;
    private int lastWidth;
    private int stagesAfter;
    private double secondsPerStage = Double.NaN;

    public ProgressLine(PrintStream out, boolean terminal, long plainIntervalSeconds) {
        this.out = out;
        this.terminal = terminal;
        this.plainIntervalNanos = plainIntervalSeconds * 1_000_000_000L;
    }

    /**
     * Progress on standard error, so that standard output carries only a command's results (the
     * JSON of --json); in place only on a terminal.
     */
    public static ProgressLine console() {
        return new ProgressLine(System.err, System.console() != null, 10);
    }

    public synchronized void start(String stage, long total, String unit) {
        this.stage = stage;
        this.total = total;
        this.unit = unit;
        this.start = System.nanoTime();
        this.lastPrint = 0;
        this.done = 0;
        print();
    }

    public synchronized void update(long done) {
        this.done = done;
        long now = System.nanoTime();
        if (terminal || now - lastPrint >= plainIntervalNanos) {
            print();
        }
    }

    /**
     * The run's remaining work after this stage: {@code stages} more like it, each taking
     * {@code secondsPerStage} (NaN: as long as this one is projected to take). The line then shows
     * the run's ETA as well as the stage's.
     */
    public synchronized void runAhead(int stages, double secondsPerStage) {
        this.stagesAfter = stages;
        this.secondsPerStage = secondsPerStage;
    }

    public synchronized void setTotal(long total) {
        this.total = total;
    }

    /** Ends the stage's line with a closing summary. */
    public synchronized void finish(String summary) {
        if (terminal) {
            out.print("\r" + " ".repeat(lastWidth) + "\r");
        }
        out.println(stage + ": " + summary);
        out.flush();
        lastWidth = 0;
    }

    String render() {
        double elapsed = (System.nanoTime() - start) / 1e9;
        double rate = elapsed > 0 ? done / elapsed : 0;
        StringBuilder sb = new StringBuilder(stage).append(": ").append(done);
        if (total > 0) {
            sb.append('/').append(total).append(String.format(Locale.ROOT, " (%d%%)", Math.min(100, done * 100 / total)));
        }
        sb.append(' ').append(unit).append(String.format(Locale.ROOT, ", %.1f %s/s", rate, unit));
        if (total > 0 && rate > 0 && done < total) {
            double left = (total - done) / rate;
            sb.append(", ETA ").append(Figures.duration(left));
            if (stagesAfter > 0) {
                double perStage = Double.isNaN(secondsPerStage) ? elapsed + left : secondsPerStage;
                sb.append(", run ETA ").append(Figures.duration(left + stagesAfter * perStage));
            }
        }
        sb.append(", ").append(Figures.duration(elapsed)).append(" elapsed");
        return sb.toString();
    }

    private void print() {
        String line = render();
        if (terminal) {
            int pad = Math.max(0, lastWidth - line.length());
            out.print("\r" + line + " ".repeat(pad));
            lastWidth = line.length();
        } else {
            out.println(line);
        }
        out.flush();
        lastPrint = System.nanoTime();
    }
}
