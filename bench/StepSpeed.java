// One training step of a registry network in one JVM, on fresh random batches: the fitted step's time,
// then the time per layer type (forward and backward, under the profiler: shares, not absolute
// times). Run two at once to see what two 1-core workers on one machine do to each other.
//   ./mvnw -q -o install -DskipTests
//   java -cp "jobs/target/segspark-jobs-0.1.0-SNAPSHOT-app.jar:$(cat jobs/target/spark-classpath.txt)" \
//       bench/StepSpeed.java MODEL WIDTH_MULTIPLIER THREADS [SIZE CHANNELS BATCH]
// e.g. bench/StepSpeed.java mobilenet-v2 0.5 1 64 1 64: conf/fashion-mnist-64-grey.conf's network and batch.
import org.segspark.models.ModelConfig;
import org.segspark.models.bench.LayerProfiler;
import org.segspark.models.bench.SingleProcessBenchmark;
import org.segspark.models.graph.FusedGraphUpdater;
import org.segspark.models.layers.NativeSpeed;
import org.segspark.models.registry.ModelRegistry;

public class StepSpeed {
    public static void main(String[] args) {
        String model = args[0];
        NativeSpeed.setThreads(Integer.parseInt(args[2]));
        int size = args.length > 3 ? Integer.parseInt(args[3]) : 64;
        int channels = args.length > 4 ? Integer.parseInt(args[4]) : 1;
        int batch = args.length > 5 ? Integer.parseInt(args[5]) : 64;
        ModelConfig cfg = ModelRegistry.get(model).defaults().withClasses(10).withInput(size, size)
                .withChannels(channels).withWidthMultiplier(Double.parseDouble(args[1]));
        var net = ModelRegistry.build(model, cfg);
        FusedGraphUpdater.install(net);         // as training installs it
        // a fresh batch every step: on one fixed batch the network memorises it and its gradients turn denormal
        var batches = SingleProcessBenchmark.freshBatches(ModelRegistry.get(model).task(), cfg, batch);
        for (int i = 0; i < 10; i++) {
            net.fit(batches.apply(i));
        }
        long nanos = 0;
        for (int i = 0; i < 20; i++) {
            var data = batches.apply(10 + i);
            long t0 = System.nanoTime();
            net.fit(data);
            nanos += System.nanoTime() - t0;
        }
        System.out.printf("%s x%s, %dx%dx%d, batch %d, %s op threads: %.1f ms per step (20 steps after 10)%n", model,
                args[1], channels, size, size, batch, args[2], nanos / 1e6 / 20);
        LayerProfiler.Profile p = LayerProfiler.profile(net, batches, 10);
        for (LayerProfiler.TypeTime t : p.types()) {
            System.out.printf("  %-28s %3d layers  forward %7.1f  backward %7.1f  share %4.1f%%%n", t.type(), t.layers(),
                    t.forwardMs(), t.backwardMs(), 100 * t.totalMs() / p.attributedMs());
        }
    }
}
