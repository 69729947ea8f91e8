package org.segspark.jobs.train.sharing;

import java.nio.ByteBuffer;
import scala.collection.Iterator;

import org.segspark.models.graph.FusedGraphUpdater;
import org.segspark.models.registry.SavedNetworks;

import org.apache.spark.BarrierTaskContext;
import org.apache.spark.SparkEnv;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.broadcast.Broadcast;
import org.deeplearning4j.datasets.iterator.AsyncMultiDataSetIterator;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.segspark.jobs.data.BatchLoader;
import org.segspark.jobs.train.fit.StepAccumulator;
import org.segspark.models.layers.NativeSpeed;
import org.segspark.core.io.HadoopFiles;
import org.segspark.core.io.SerializableConf;
import scala.collection.JavaConverters;
import scala.reflect.ClassTag;
import scala.reflect.ClassTag$;
import scala.runtime.AbstractFunction1;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.Serializable;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.util.ArrayList;
import java.util.Deque;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedDeque;
import java.util.List;

/**
 * One epoch of gradient sharing as a Spark barrier stage: one task per worker, all started
 * together; each takes the network it trained in the previous epoch (kept in its JVM), or, when
 * any worker lacks it (the first epoch, a lost executor), all build it from the broadcast of the
 * driver's network; then it trains on its share of the epoch's minibatches and, at every step,
 * exchanges its update with the others ({@link UpdateExchange}) before applying the sum. All
 * workers take the same steps from the same start, so they end the epoch with identical
 * parameters: the driver takes them, with the updater state, from the first task and checks the
 * others' digests against them. Executors fetch the broadcast only when they need it.
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
     * @param packingSeconds    of that, the workers' own work: packing chunks into bytes, unpacking and adding them
     * @param conversionSeconds time the workers spent copying updates out of and back into ND4J arrays
     * @param exchangeByWorker  each worker's time exchanging (sending, waiting, adding), in rank order: what one
     *                          waited for the other shows here
     * @param loadingSeconds    time the workers' loaders spent reading and building minibatches, summed over workers
     */
    public record Result(long stepsPerWorker, int dropped, boolean agree, double maxDifference, long bytesPerStep,
                         double packingSeconds, double conversionSeconds, List<Double> exchangeByWorker,
                         double loadingSeconds) {
        /** Time the workers spent exchanging updates, summed over workers. */
        public double exchangeSeconds() {
            return exchangeByWorker.stream().mapToDouble(Double::doubleValue).sum();
        }
    }

    /** What a task sends back: the first task its parameters; every task a digest, a sample and its updater state. */
    record TaskOutcome(int rank, float[] params, String digest, float[] sample, float[] updaterState, long steps,
                       long bytesSent, long exchangeNanos, long packingNanos, long conversionNanos, long loadNanos,
                       int iterationCount)
            implements Serializable {
    }

    /**
     * The networks this JVM's workers of a run trained, with the epoch they finished. Spark may
     * place a worker on another executor next epoch, so a task takes any network kept here: they
     * hold the same parameters (each its own worker's Adam moments, equally valid).
     */
    private static final Map<String, Deque<Kept>> KEPT = new ConcurrentHashMap<>();

    private record Kept(ComputationGraph net, int epoch) {
    }

    /**
     * Trains {@code net} for epoch {@code epoch} (1-based) over {@code order} with {@code workers}
     * tasks; {@code net} is updated in place.
     *
     * @param run a key of this training run: workers keep their networks under it between epochs
     */
    public static Result fit(JavaSparkContext jsc, ComputationGraph net, List<String> order, BatchLoader loader,
                             SerializableConf conf, int workers, StepAccumulator steps, GradientSharing sharing, int prefetch,
                             String run, int epoch) {
        int per = order.size() / workers;
        if (per == 0) {
            throw new IllegalArgumentException("gradient sharing over " + workers + " workers needs at least " + workers
                    + " minibatches per epoch, the training split has " + order.size());
        }
        List<List<String>> slices = new ArrayList<>();
        for (int i = 0; i < workers; i++) {
            slices.add(new ArrayList<>(order.subList(i * per, (i + 1) * per)));
        }
        List<TaskOutcome> outcomes;
        // After an epoch every worker holds the network: the driver serialises and broadcasts it only
        // when one does not (then the stage fails fast and runs again with it), or after a failure.
        boolean kept = STAGES_DONE.getOrDefault(run, -1) == epoch - 1;
        try {
            outcomes = stage(jsc, kept ? null : net, slices, loader, conf, steps, sharing, prefetch, run, epoch);
        } catch (Exception e) {     // SparkException is checked, though collect() does not declare it
            if (!kept) {
                throw e;
            }
            outcomes = stage(jsc, net, slices, loader, conf, steps, sharing, prefetch, run, epoch);
        }
        STAGES_DONE.keySet().removeIf(k -> !k.equals(run));
        STAGES_DONE.put(run, epoch);
        outcomes.sort((a, b) -> Integer.compare(a.rank(), b.rank()));
        TaskOutcome first = outcomes.get(0);
        boolean agree = true;
        double maxDiff = 0;
        for (TaskOutcome o : outcomes) {
            agree &= o.digest().equals(first.digest());
            for (int i = 0; i < o.sample().length; i++) {
                maxDiff = Math.max(maxDiff, Math.abs(o.sample()[i] - first.sample()[i]));
            }
        }
        net.params().assign(Nd4j.createFromArray(first.params()).reshape(net.params().shape()));
        INDArray state = net.getUpdater().getStateViewArray();
        if (state != null && first.updaterState().length > 0) {
            state.assign(Nd4j.createFromArray(first.updaterState()).reshape(state.shape()));
        }
        net.getConfiguration().setIterationCount(first.iterationCount());
        return new Result(per, order.size() - per * workers, agree, maxDiff,
                first.steps() == 0 ? 0 : first.bytesSent() / first.steps(),
                outcomes.stream().mapToLong(TaskOutcome::packingNanos).sum() / 1e9,
                outcomes.stream().mapToLong(TaskOutcome::conversionNanos).sum() / 1e9,
                outcomes.stream().map(o -> o.exchangeNanos() / 1e9).toList(),
                outcomes.stream().mapToLong(TaskOutcome::loadNanos).sum() / 1e9);
    }

    /** The last epoch whose stage completed, by run: its workers then hold the network. */
    private static final Map<String, Integer> STAGES_DONE = new ConcurrentHashMap<>();

    /** One barrier stage over the slices; with {@code net} null the workers must hold last epoch's network. */
    private static List<TaskOutcome> stage(JavaSparkContext jsc, ComputationGraph net, List<List<String>> slices,
                                           BatchLoader loader, SerializableConf conf, StepAccumulator steps,
                                           GradientSharing sharing, int prefetch, String run, int epoch) {
        Broadcast<byte[]> model = net == null ? null : jsc.broadcast(SavedNetworks.bytes(net, true));
        try {
            ClassTag<TaskOutcome> tag = ClassTag$.MODULE$.apply(TaskOutcome.class);
            JavaRDD<List<String>> input = jsc.parallelize(slices, slices.size());
            var rdd = input.rdd().barrier().mapPartitions(new Train(model, loader, conf, steps, sharing, prefetch, run, epoch),
                    false, tag);
            return new ArrayList<>(new JavaRDD<>(rdd, tag).collect());
        } finally {
            if (model != null) {
                model.destroy();
            }
        }
    }

    /** The task: connect to the other tasks, train this worker's minibatches with shared updates, report. */
    static final class Train extends AbstractFunction1<Iterator<List<String>>, Iterator<TaskOutcome>>
            implements Serializable {
        private static final long serialVersionUID = 1L;
        /** Every this-many-th parameter is returned by every worker, to measure how far they drifted apart. */
        static final int SAMPLE_STRIDE = 997;
        private final Broadcast<byte[]> model;
        private final BatchLoader loader;
        private final SerializableConf conf;
        private final StepAccumulator steps;
        private final GradientSharing sharing;
        private final int prefetch;
        private final String run;
        private final int epoch;

        Train(Broadcast<byte[]> model, BatchLoader loader, SerializableConf conf, StepAccumulator steps,
              GradientSharing sharing, int prefetch, String run, int epoch) {
            this.model = model;
            this.loader = loader;
            this.conf = conf;
            this.steps = steps;
            this.sharing = sharing;
            this.prefetch = prefetch;
            this.run = run;
            this.epoch = epoch;
        }

        @Override
        public Iterator<TaskOutcome> apply(Iterator<List<String>> input) {
            BarrierTaskContext ctx = BarrierTaskContext.get();
            List<String> batches = input.hasNext() ? input.next() : List.of();
            if (loader.threadsPerTask() > 0) {
                NativeSpeed.setThreads(loader.threadsPerTask());
            }
            String host = SparkEnv.get().blockManager().blockManagerId().host();
            int rank = ctx.partitionId();
            KEPT.keySet().removeIf(k -> !k.equals(run));
            Deque<Kept> pool = KEPT.computeIfAbsent(run, k -> new ConcurrentLinkedDeque<>());
            Kept kept = pool.poll();
            while (kept != null && kept.epoch() != epoch - 1) {
                kept = pool.poll();
            }
            boolean have = kept != null;
            try (ServerSocket server = UpdateExchange.listen(host)) {
                // one round trip: every worker's address, and whether it still holds last epoch's network
                String[] gathered = ctx.allGather(host + ":" + server.getLocalPort() + " " + (have ? "kept" : "new"));
                List<String> endpoints = new ArrayList<>();
                boolean allKept = true;
                for (String g : gathered) {
                    endpoints.add(g.substring(0, g.indexOf(' ')));
                    allKept &= g.endsWith(" kept");
                }
                if (!allKept && model == null) {
                    throw new IllegalStateException("a worker of run " + run + " no longer holds the network of epoch "
                            + (epoch - 1) + " (a new executor, or another task placement); the epoch starts again from the driver's network");
                }
                try (UpdateExchange exchange = UpdateExchange.connect(rank, endpoints, server, 120_000,
                        sharing.bfloat16())) {
                    ComputationGraph net = allKept ? kept.net()
                            : SavedNetworks.restore(new ByteArrayInputStream(model.value()), true);
                    FusedGraphUpdater.install(net);
                    net.getConfiguration().setEpochCount(epoch - 1);
                    net.setListeners(steps);
                    SharedUpdates shared = new SharedUpdates(exchange, sharing.mean());
                    net.setGradientsAccumulator(shared);
                    // one step per planned minibatch, as loaded: re-batching could give the workers different step counts
                    PlannedBatches planned = new PlannedBatches(batches, loader, conf);
                    net.fit(prefetch > 0 ? new AsyncMultiDataSetIterator(planned, prefetch) : planned);
                    float[] params = net.params().toFloatVector();
                    float[] sample = new float[(params.length + SAMPLE_STRIDE - 1) / SAMPLE_STRIDE];
                    for (int i = 0; i < sample.length; i++) {
                        sample[i] = params[i * SAMPLE_STRIDE];
                    }
                    INDArray state = net.getUpdater().getStateViewArray();
                    pool.push(new Kept(net, epoch));
                    TaskOutcome o = new TaskOutcome(rank, rank == 0 ? params : null, digest(params), sample,
                            rank == 0 && state != null ? state.toFloatVector() : new float[0], shared.steps(),
                            exchange.bytesSent(), exchange.exchangeNanos(), exchange.packingNanos(), shared.conversionNanos(),
                            planned.loadNanos(), net.getIterationCount());
                    return JavaConverters.asScalaIterator(List.of(o).iterator());
                }
            } catch (IOException e) {
                throw new UncheckedIOException("gradient sharing task " + ctx.partitionId() + ": " + e.getMessage(), e);
            }
        }

        private static String digest(float[] v) {
            ByteBuffer b = ByteBuffer.allocate(v.length * 4);
            b.asFloatBuffer().put(v);
            return HadoopFiles.sha256(b.array());
        }
    }
}
