package org.segspark.jobs.ml;

import org.apache.spark.ml.linalg.Vectors;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.segspark.core.io.SerializableConf;
import org.segspark.jobs.predict.TensorBatch;
import org.segspark.jobs.run.ModelInput;
import org.segspark.models.layers.NativeSpeed;
import org.segspark.preprocess.frame.ImageCell;
import org.segspark.preprocess.image.BadImageException;
import org.segspark.preprocess.image.ImageDecoder;
import org.segspark.preprocess.image.LabelPng;

import java.io.IOException;
import java.io.Serializable;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;

/**
 * The executor side of {@link SegsparkModel#transform}: a partition's rows in batches, each image
 * decoded and fitted to the tensor as {@code segspark predict} does, one forward pass per batch, and
 * every row given back with the result columns appended. A row whose image cannot be read gets nulls
 * and the reason in the error column; the job goes on.
 */
final class RowPredictor implements Serializable {
    private static final long serialVersionUID = 1L;
    private final String run;
    private final ModelInput input;
    private final int imageColumn;
    private final int batch;
    private final long maxPixels;
    private final String engine;
    private final int threadsPerTask;
    private final SerializableConf conf;

    RowPredictor(String run, ModelInput input, int imageColumn, int batch, long maxPixels, String engine,
                 int threadsPerTask, SerializableConf conf) {
        this.run = run;
        this.input = input;
        this.imageColumn = imageColumn;
        this.batch = batch;
        this.maxPixels = maxPixels;
        this.engine = engine;
        this.threadsPerTask = threadsPerTask;
        this.conf = conf;
    }

    /** The rows of one partition, each with its results appended, batch by batch as they are read. */
    Iterator<Row> predict(Iterator<Row> rows) throws IOException {
        if (!rows.hasNext()) {
            return rows;
        }
        if (threadsPerTask > 0) {
            NativeSpeed.setThreads(threadsPerTask);
        }
        LoadedNetworks.Loaded net = LoadedNetworks.get(run, input, engine, threadsPerTask, conf.get());
        return new Iterator<>() {
            private final List<Row> ready = new ArrayList<>();
            private int next;

            @Override
            public boolean hasNext() {
                if (next == ready.size()) {
                    ready.clear();
                    next = 0;
                    if (rows.hasNext()) {
                        ready.addAll(batch(net, rows));
                    }
                }
                return next < ready.size();
            }

            @Override
            public Row next() {
                if (!hasNext()) {
                    throw new NoSuchElementException();
                }
                return ready.get(next++);
            }
        };
    }

    private List<Row> batch(LoadedNetworks.Loaded net, Iterator<Row> rows) {
        List<Row> taken = new ArrayList<>(batch);
        List<Object[]> results = new ArrayList<>(batch);
        List<TensorBatch.Fitted> fitted = new ArrayList<>(batch);
        List<Integer> fittedRows = new ArrayList<>(batch);
        while (taken.size() < batch && rows.hasNext()) {
            Row row = rows.next();
            taken.add(row);
            String error;
            try {
                ImageCell cell = ImageCell.of(row, imageColumn);
                if (cell == null) {
                    throw new BadImageException("the image cell is null");
                }
                ImageDecoder.Decoded d = cell.decodeFor(maxPixels, input.width(), input.height(), input.aspect(),
                        input.dctScaling());
                fitted.add(new TensorBatch.Fitted(d.resized(input.width(), input.height(), input.aspect()), d.width(),
                        d.height()));
                fittedRows.add(taken.size() - 1);
                error = null;
            } catch (BadImageException | RuntimeException e) {
                error = "decode: " + e.getMessage();
            }
            results.add(failed(error));
        }
        if (!fitted.isEmpty()) {
            List<TensorBatch.Result> predicted = net.predict(input, fitted);
            for (int i = 0; i < predicted.size(); i++) {
                results.set(fittedRows.get(i), values(predicted.get(i), fitted.get(i)));
            }
        }
        List<Row> out = new ArrayList<>(taken.size());
        for (int i = 0; i < taken.size(); i++) {
            Row row = taken.get(i);
            Object[] extra = results.get(i);
            Object[] all = new Object[row.length() + extra.length];
            for (int j = 0; j < row.length(); j++) {
                all[j] = row.get(j);
            }
            System.arraycopy(extra, 0, all, row.length(), extra.length);
            out.add(RowFactory.create(all));
        }
        return out;
    }

    /**
     * The appended columns: classification (prediction, class name, probability, error);
     * segmentation (label map PNG, class shares, error).
     */
    private Object[] values(TensorBatch.Result r, TensorBatch.Fitted img) {
        if (!input.segmentation()) {
            int best = r.best();
            double[] p = new double[r.probabilities().length];
            for (int j = 0; j < p.length; j++) {
                p[j] = r.probabilities()[j];
            }
            return new Object[] {(double) best, input.classes().get(best), Vectors.dense(p), null};
        }
        double pixels = (double) img.width() * img.height();
        double[] shares = new double[r.classPixels().length];
        for (int c = 0; c < shares.length; c++) {
            shares[c] = r.classPixels()[c] / pixels;
        }
        return new Object[] {LabelPng.encode(r.labelMap(), img.width(), img.height()), shares, null};
    }

    private Object[] failed(String error) {
        return input.segmentation() ? new Object[] {null, null, error} : new Object[] {null, null, null, error};
    }
}
