package org.segspark.jobs.run;

import org.deeplearning4j.nn.graph.ComputationGraph;
import org.segspark.core.Task;
import org.segspark.jobs.eval.Evaluation;
import org.segspark.jobs.records.CheckpointPointer;
import org.segspark.jobs.records.EpochMetrics;
import org.segspark.jobs.records.EpochTiming;
import org.segspark.jobs.records.ModelDescription;
import org.segspark.jobs.records.RunMetrics;
import org.segspark.jobs.report.RunReport;
import org.segspark.models.EpochLog;
import org.segspark.models.ReportSection;

import java.io.IOException;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * What a training run writes into its folder: after every epoch the settings (with the first
 * checkpoint), an epoch checkpoint (with the updater's state, for --resume) and latest.json, the
 * best epoch's network, history.jsonl, training-stats.jsonl and the model's own epoch log; at the
 * end model.zip, metrics.json, model.json and report.html with its figures. {@link Retention}
 * says which checkpoints stay and whether the final networks carry the updater's state.
 */
public final class RunOutputs {
    private final RunDirectory run;
    private final String configText;
    private final Retention retention;
    private final Task task;
    private final ModelLog<?> log;
    private final PrintStream console;
    private final List<String> checkpoints = new ArrayList<>();
    private final List<EpochMetrics> history = new ArrayList<>();
    private final List<EpochTiming> timings = new ArrayList<>();

    private RunOutputs(RunDirectory run, String configText, Retention retention, Task task, EpochLog<?> log,
                       PrintStream console) {
        this.run = run;
        this.configText = configText;
        this.retention = retention;
        this.task = task;
        this.log = log == null ? null : new ModelLog<>(log);
        this.console = console;
    }

    /** A new run's outputs. */
    public static RunOutputs start(RunDirectory run, String configText, Retention retention, Task task,
                                   EpochLog<?> log, PrintStream console) {
        return new RunOutputs(run, configText, retention, task, log, console);
    }

    /** A resumed run's outputs: what the folder holds up to the checkpoint {@code from} continues. */
    public static RunOutputs resume(RunDirectory run, ResumePoint from, String configText, Retention retention,
                                    Task task, EpochLog<?> log, PrintStream console) throws IOException {
        RunOutputs o = new RunOutputs(run, configText, retention, task, log, console);
        o.history.addAll(from.history());
        o.timings.addAll(run.timings(from.epochsDone()));
        o.checkpoints.addAll(run.checkpointFiles());
        if (o.log != null) {
            o.log.load(run, from.epochsDone());
        }
        return o;
    }

    /** After an epoch: checkpoint, logs and, when the epoch is the best so far, best.zip. */
    public void afterEpoch(ComputationGraph net, EpochMetrics metrics, EpochTiming timing) throws IOException {
        // written with the first epoch's checkpoint: a run refused before training starts leaves an
        // earlier run's settings (which --resume reads) as they were
        run.writeText(RunDirectory.CONFIG, configText);
        String name = String.format(Locale.ROOT, "%s/epoch-%04d.zip", RunDirectory.CHECKPOINTS, metrics.epoch());
        run.saveModel(name, net, true);
        checkpoints.add(name);
        run.writeJson(RunDirectory.LATEST, new CheckpointPointer(metrics.epoch(), name, metrics));
        history.add(metrics);
        if (EpochMetrics.bestEpoch(history, task, 0) == metrics.epoch()) {
            run.saveModel(RunDirectory.BEST, net, retention.finalWithUpdater());
        }
        run.writeJsonLines(RunDirectory.HISTORY, history);
        timings.add(timing);
        run.writeJsonLines(RunDirectory.TRAINING_STATS, timings);
        if (log != null) {
            log.after(net, metrics, run, console);
        }
        while (checkpoints.size() > retention.keepCheckpoints()) {
            run.delete(checkpoints.remove(0));
        }
    }

    /**
     * The run's end: the network, its figures, its description and the report.
     *
     * @param header the report's provenance lines
     */
    public void finish(ComputationGraph net, RunMetrics metrics, ModelDescription description, String title,
                       Map<String, String> header, Evaluation.Result last) throws IOException {
        run.saveModel(RunDirectory.MODEL, net, retention.finalWithUpdater());
        run.writeJson(RunDirectory.METRICS, metrics);
        run.writeJson(RunDirectory.MODEL_INFO, description);
        List<ReportSection> sections = new ArrayList<>();
        ReportSection own = log == null ? null : log.section();
        if (own != null) {
            sections.add(own);
        }
        RunReport.Output report = RunReport.render(new RunReport.Input(title, header, configText, metrics.classes(),
                task == Task.SEGMENTATION, metrics.history(), last.confusion(), last.samples(), timings, sections));
        for (Map.Entry<String, byte[]> e : report.figures().entrySet()) {
            run.writeBytes("report/" + e.getKey(), e.getValue());
        }
        run.writeText(RunDirectory.REPORT, report.html());
    }

    public RunDirectory run() {
        return run;
    }

    /** A model's epoch log with its rows so far. */
    private static final class ModelLog<R extends EpochLog.Row> {
        private final EpochLog<R> log;
        private final List<R> rows = new ArrayList<>();

        ModelLog(EpochLog<R> log) {
            this.log = log;
        }

        void load(RunDirectory run, int upTo) throws IOException {
            run.readJsonLines(log.file(), log.rowType()).stream().filter(r -> r.epoch() <= upTo).forEach(rows::add);
        }

        void after(ComputationGraph net, EpochMetrics metrics, RunDirectory run, PrintStream console) throws IOException {
            R row = log.afterEpoch(net, metrics.epoch(), metrics.trainLoss());
            if (row != null) {
                rows.add(row);
                run.writeJsonLines(log.file(), rows);
                console.println(log.describe(row));
            }
        }

        ReportSection section() {
            return rows.isEmpty() ? null : log.section(rows);
        }
    }
}
