// Training steps of a registry network once HotSpot has settled: untimed steps for SKIP seconds
// (the JIT compiler holds a core for the first 10-20 s of a run), then every step for SECONDS,
// each on a fresh random batch; prints the median, p10 and p90 in ms. bench/in_turns.sh runs it
// in turns with bench/torch_steps.py.
//   ./mvnw -q -o install -DskipTests
//   java @conf/jvm.options -cp "jobs/target/segspark-jobs-0.1.0-SNAPSHOT-app.jar:$(cat jobs/target/spark-classpath.txt)" \
//       bench/SteadySteps.java MODEL THREADS SIZE BATCH SECONDS [SKIP]
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

import org.segspark.models.ModelConfig;
import org.segspark.models.bench.SingleProcessBenchmark;
import org.segspark.models.graph.FusedGraphUpdater;
import org.segspark.models.layers.NativeSpeed;
import org.segspark.models.registry.ModelRegistry;

public class SteadySteps {
    public static void main(String[] args) {
        String model = args[0];
        int threads = Integer.parseInt(args[1]);
        int size = Integer.parseInt(args[2]);
        int batch = Integer.parseInt(args[3]);
        double seconds = Double.parseDouble(args[4]);
        double skip = args.length > 5 ? Double.parseDouble(args[5]) : 25;
        NativeSpeed.setThreads(threads);
        ModelConfig cfg = ModelRegistry.get(model).defaults().withClasses(10).withInput(size, size);
        var net = ModelRegistry.build(model, cfg);
        FusedGraphUpdater.install(net);         // as training installs it
        var batches = SingleProcessBenchmark.freshBatches(ModelRegistry.get(model).task(), cfg, batch);
        int step = 0;
        for (long until = System.nanoTime() + (long) (skip * 1e9); step < 10 || System.nanoTime() < until; step++) {
            net.fit(batches.apply(step));
        }
        List<Double> ms = new ArrayList<>();
        for (long until = System.nanoTime() + (long) (seconds * 1e9); System.nanoTime() < until; step++) {
            var data = batches.apply(step);
            long t0 = System.nanoTime();
            net.fit(data);
            ms.add((System.nanoTime() - t0) / 1e6);
        }
        Collections.sort(ms);
        int n = ms.size();
        System.out.printf("segspark %s %dx%d batch %d, %d threads: %d steps, median %.1f ms, p10 %.1f, p90 %.1f%n", model, size,
                size, batch, threads, n, ms.get(n / 2), ms.get(n / 10), ms.get(n * 9 / 10));
    }
}
