package org.segspark.jobs.train.sharing;

import org.apache.spark.BarrierTaskContext;
import org.apache.spark.SparkEnv;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.broadcast.Broadcast;
import org.deeplearning4j.datasets.iterator.AsyncMultiDataSetIterator;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.util.ModelSerializer;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.api.iterator.MultiDataSetIterator;
import org.nd4j.linalg.factory.Nd4j;
import org.segspark.jobs.train.ShardBatchLoader;
import org.segspark.jobs.train.StepAccumulator;
import org.segspark.models.NativeSpeed;
import org.segspark.preprocess.io.HadoopFiles;
import org.segspark.preprocess.io.SerializableConf;
import scala.collection.JavaConverters;
import scala.reflect.ClassTag;
import scala.reflect.ClassTag$;
import scala.runtime.AbstractFunction1;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.Serializable;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * One epoch of gradient sharing as a Spark barrier stage: one task per worker, all started
 * together; each builds the network from the broadcast, trains on its share of the epoch's
 * minibatches and, at every step, exchanges its update with the others ({@link UpdateExchange})
 * before applying the sum. All workers take the same steps from the same start, so they end the
 * epoch with identical parameters: the driver takes them from the first task, checks the others'
 * digests against them, and averages the workers' updater states (each worker's Adam moments saw
 * its own minibatches).
 */
public final class SharedEpoch {
    private SharedEpoch() {
    }

    /**
     * What the epoch did.
     *
     * @param stepsPerWorker    minibatches each worker trained
     * @param dropped           minibatches of the epoch left out so that every worker takes the same number of steps
     * @param agree             every worker ended with the same parameters (bit for bit)
     * @param maxDifference     the largest difference between a worker's parameters and the first worker's, over a sample
     * @param bytesPerStep      bytes one worker sent per step
     * @param exchangeSeconds   time the workers spent exchanging updates (sending, waiting, adding), summed over workers
     */
    public record Result(long stepsPerWorker, int dropped, boolean agree, double maxDifference, long bytesPerStep,
                         double exchangeSeconds) {
    }

    /** What a task sends back: the first task its parameters; every task a digest, a sample and its updater state. */
    record TaskOutcome(int rank, float[] params, String digest, float[] sample, float[] updaterState, long steps,
                       long bytesSent, long exchangeNanos, int iterationCount) implements Serializable {
    }

    /** Trains {@code net} for one epoch over {@code order} with {@code workers} tasks; {@code net} is updated in place. */
    public static Result fit(JavaSparkContext jsc, ComputationGraph net, List<String> order, ShardBatchLoader loader,
                             SerializableConf conf, int workers, StepAccumulator steps, boolean mean, int prefetch) {
        int per = order.size() / workers;
        if (per == 0) {
            throw new IllegalArgumentException("gradient sharing over " + workers + " workers needs at least " + workers
                    + " minibatches per epoch, the training split has " + order.size());
        }
        List<List<String>> slices = new ArrayList<>();
        for (int i = 0; i < workers; i++) {
            slices.add(new ArrayList<>(order.subList(i * per, (i + 1) * per)));
        }
        Broadcast<byte[]> model = jsc.broadcast(serialize(net));
        List<TaskOutcome> outcomes;
        try {
            ClassTag<TaskOutcome> tag = ClassTag$.MODULE$.apply(TaskOutcome.class);
            JavaRDD<List<String>> input = jsc.parallelize(slices, workers);
            var rdd = input.rdd().barrier().mapPartitions(new Train(model, loader, conf, steps, mean, prefetch), false, tag);
            outcomes = new ArrayList<>(new JavaRDD<>(rdd, tag).collect());
        } finally {
            model.destroy();
        }
        outcomes.sort((a, b) -> Integer.compare(a.rank(), b.rank()));
        TaskOutcome first = outcomes.get(0);
        boolean agree = true;
        double maxDiff = 0;
        INDArray state = net.getUpdater().getStateViewArray();
        float[] meanState = state == null ? null : new float[first.updaterState().length];
        for (TaskOutcome o : outcomes) {
            agree &= o.digest().equals(first.digest());
            for (int i = 0; i < o.sample().length; i++) {
                maxDiff = Math.max(maxDiff, Math.abs(o.sample()[i] - first.sample()[i]));
            }
            if (meanState != null) {
                for (int i = 0; i < meanState.length; i++) {
                    meanState[i] += o.updaterState()[i] / outcomes.size();
                }
            }
        }
        net.params().assign(Nd4j.createFromArray(first.params()).reshape(net.params().shape()));
        if (meanState != null) {
            state.assign(Nd4j.createFromArray(meanState).reshape(state.shape()));
        }
        net.getConfiguration().setIterationCount(first.iterationCount());
        long exchange = outcomes.stream().mapToLong(TaskOutcome::exchangeNanos).sum();
        return new Result(per, order.size() - per * workers, agree, maxDiff,
                first.steps() == 0 ? 0 : first.bytesSent() / first.steps(), exchange / 1e9);
    }

    static byte[] serialize(ComputationGraph net) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try {
            ModelSerializer.writeModel(net, out, true);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot serialise the network for the workers", e);
        }
        return out.toByteArray();
    }

    /** The task: connect to the other tasks, train this worker's minibatches with shared updates, report. */
    static final class Train extends AbstractFunction1<scala.collection.Iterator<List<String>>, scala.collection.Iterator<TaskOutcome>>
            implements Serializable {
        private static final long serialVersionUID = 1L;
        /** Every this-many-th parameter is returned by every worker, to measure how far they drifted apart. */
        static final int SAMPLE_STRIDE = 997;
        private final Broadcast<byte[]> model;
        private final ShardBatchLoader loader;
        private final SerializableConf conf;
        private final StepAccumulator steps;
        private final boolean mean;
        private final int prefetch;

        Train(Broadcast<byte[]> model, ShardBatchLoader loader, SerializableConf conf, StepAccumulator steps,
              boolean mean, int prefetch) {
            this.model = model;
            this.loader = loader;
            this.conf = conf;
            this.steps = steps;
            this.mean = mean;
            this.prefetch = prefetch;
        }

        @Override
        public scala.collection.Iterator<TaskOutcome> apply(scala.collection.Iterator<List<String>> input) {
            BarrierTaskContext ctx = BarrierTaskContext.get();
            List<String> batches = input.hasNext() ? input.next() : List.of();
            if (loader.threadsPerTask() > 0) {
                NativeSpeed.setThreads(loader.threadsPerTask());
            }
            String host = SparkEnv.get().blockManager().blockManagerId().host();
            try (ServerSocket server = UpdateExchange.listen(host)) {
                String[] endpoints = ctx.allGather(host + ":" + server.getLocalPort());
                try (UpdateExchange exchange = UpdateExchange.connect(ctx.partitionId(), Arrays.asList(endpoints), server,
                        120_000)) {
                    ComputationGraph net = ModelSerializer.restoreComputationGraph(new ByteArrayInputStream(model.value()), true);
                    net.setListeners(steps);
                    SharedUpdates shared = new SharedUpdates(exchange, mean);
                    net.setGradientsAccumulator(shared);
                    net.fit(iterator(batches));
                    float[] params = net.params().toFloatVector();
                    float[] sample = new float[(params.length + SAMPLE_STRIDE - 1) / SAMPLE_STRIDE];
                    for (int i = 0; i < sample.length; i++) {
                        sample[i] = params[i * SAMPLE_STRIDE];
                    }
                    INDArray state = net.getUpdater().getStateViewArray();
                    TaskOutcome o = new TaskOutcome(ctx.partitionId(), ctx.partitionId() == 0 ? params : null,
                            digest(params), sample, state == null ? new float[0] : state.toFloatVector(), shared.steps(),
                            exchange.bytesSent(), exchange.exchangeNanos(), net.getIterationCount());
                    return JavaConverters.asScalaIterator(List.of(o).iterator());
                }
            } catch (IOException e) {
                throw new UncheckedIOException("gradient sharing task " + ctx.partitionId() + ": " + e.getMessage(), e);
            }
        }

        /** One step per planned minibatch, as loaded: re-batching could give the workers different step counts. */
        private MultiDataSetIterator iterator(List<String> batches) {
            MultiDataSetIterator m = new PlannedBatches(batches, loader, conf);
            return prefetch > 0 ? new AsyncMultiDataSetIterator(m, prefetch) : m;
        }

        private static String digest(float[] v) {
            java.nio.ByteBuffer b = java.nio.ByteBuffer.allocate(v.length * 4);
            b.asFloatBuffer().put(v);
            return HadoopFiles.sha256(b.array());
        }
    }
}
