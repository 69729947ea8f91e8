package org.segspark.models.layers;

import org.deeplearning4j.nn.api.Layer;
import org.deeplearning4j.nn.layers.wrapper.BaseWrapperLayer;
import org.nd4j.nativeblas.NativeOpsHolder;
import org.nd4j.nativeblas.Nd4jCpu;

import org.deeplearning4j.config.DL4JSystemProperties;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.layers.convolution.ConvolutionLayer;
import org.deeplearning4j.nn.layers.convolution.subsampling.SubsamplingLayer;
import org.deeplearning4j.nn.layers.mkldnn.BaseMKLDNNHelper;
import org.deeplearning4j.nn.layers.normalization.BatchNormalization;
import org.nd4j.linalg.factory.Nd4j;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The CPU speed settings every segspark JVM applies before building a network: DL4J's oneDNN layer
 * helpers switched on (they are off by default in M2.1) and found (see the Nd4jCpu shim). A
 * network built before {@link #enable()} keeps the slow Java layers, so every entry point calls it
 * first; executors get the same property through {@link #JVM_OPTION}.
 */
public final class NativeSpeed {
    /** The JVM option that turns the helpers on in a JVM segspark does not start itself (Spark executors). */
    public static final String JVM_OPTION = "-D" + DL4JSystemProperties.DISABLE_HELPER_PROPERTY + "=false";

    private NativeSpeed() {
    }

    /**
     * Environment for every segspark JVM, read by libgomp and glibc when the process starts (so
     * set by the launcher, the test runner, the container images and, through spark.executorEnv,
     * for executors).
     * <ul>
     * <li>{@code GOMP_SPINCOUNT}: libgomp's threads spin for about 300,000 iterations after each
     * parallel region by default; on small maps the next op comes sooner than that, and the
     * spinning threads took the cores segspark's own kernels were waiting for (MobileNetV2 at
     * 32x32: 35% of the CPU time in libgomp's spin loop). A short spin keeps the quick hand-over
     * between oneDNN's regions without that.</li>
     * <li>{@code MALLOC_*}: libnd4j's oneDNN ops allocate their temporaries (the blocked copies of
     * a tensor, up to tens of MB) with malloc and free them on every call. With glibc's defaults
     * that memory often went back to the kernel after the call (a freed top of the heap is
     * trimmed, large blocks are unmapped), so the next call faulted in every page again: the same
     * backward convolution took 4 ms or 45-80 ms depending on where its temporaries fell, and
     * whole JVMs trained MobileNetV2 at 200 or 330 ms per step. Kept memory (blocks up to 32 MB,
     * glibc's largest, from the heap; no trimming; the heap grown 64 MB at a time) makes every
     * call the fast one. Resident memory then stays at the process's peak.</li>
     * </ul>
     */
    public static final Map<String, String> ENVIRONMENT = Map.of(
            "GOMP_SPINCOUNT", "10000",
            "MALLOC_MMAP_THRESHOLD_", "33554432",
            "MALLOC_TRIM_THRESHOLD_", "1073741824",
            "MALLOC_TOP_PAD_", "67108864");

    private static final Logger LOG = LoggerFactory.getLogger(NativeSpeed.class);

    /**
     * The OpenBLAS kernel set for AMD's AVX-512 cores (Zen 4 and 5), which ND4J's OpenBLAS 0.3.19
     * does not recognise. On one Zen 5 core a 512x512 by 512x64 product ran at 15 GMAC/s with the
     * Barcelona (SSE2) kernels it falls back to, 43 with its Haswell (AVX2) ones and 76 with these,
     * side by side (82-86 on larger products); MobileNetV1's convolutions on OpenBLAS (the 1x1
     * ones and the stem) took 28 ms of a training step at 128x128 instead of 40 with Haswell's.
     * OpenBLAS reads {@code OPENBLAS_CORETYPE} once, when it loads, so the launcher sets it when
     * the environment has none; a JVM that runs another kernel set on such a CPU warns
     * ({@link #enable()}).
     */
    public static final String OPENBLAS_CORE = "SkylakeX";
    private static final List<String> AVX512_FLAGS = List.of("avx512f", "avx512bw", "avx512vl", "avx512dq", "avx512cd");
    /** OpenBLAS's kernel sets that use AVX-512, lower case. */
    private static final List<String> AVX512_CORES = List.of("skylakex", "cooperlake", "sapphirerapids");

    private static volatile boolean blasSet;

    /**
     * The kernel set this JVM asked OpenBLAS for ({@code OPENBLAS_CORETYPE}), or "auto" when OpenBLAS
     * chose by itself. ND4J's OpenBLAS does not export the name of the set it chose.
     */
    public static String openBlasCore() {
        String core = System.getenv("OPENBLAS_CORETYPE");
        return core == null || core.isBlank() ? "auto" : core.strip();
    }

    /**
     * Whether OpenBLAS leaves AVX-512 unused on a CPU whose /proc/cpuinfo text is {@code cpuinfo}:
     * an AMD CPU with every AVX-512 subset OpenBLAS's SkylakeX kernels use, and OpenBLAS left to
     * choose ("auto") or told a kernel set without AVX-512.
     */
    static boolean avx512Unused(String cpuinfo, String core) {
        String vendor = null, flags = null;
        for (String line : cpuinfo.split("\n")) {
            if (vendor == null && line.startsWith("vendor_id")) {
                vendor = line.substring(line.indexOf(':') + 1).strip();
            } else if (flags == null && line.startsWith("flags")) {
                flags = " " + line.substring(line.indexOf(':') + 1).strip() + " ";
            }
        }
        if (!"AuthenticAMD".equals(vendor) || flags == null) {
            return false;
        }
        for (String f : AVX512_FLAGS) {
            if (!flags.contains(" " + f + " ")) {
                return false;
            }
        }
        return !AVX512_CORES.contains(core.toLowerCase(Locale.ROOT));
    }

    public static void enable() {
        System.setProperty(DL4JSystemProperties.DISABLE_HELPER_PROPERTY, "false");
        if (!blasSet) {
            warnIfAvx512Unused();
            // OpenBLAS's worker threads wait for work in a sched_yield loop: after the dense
            // layers' small matrix products they took a quarter of a MobileNetV2 training step's
            // CPU time from the threads doing the work. Its products here are small; one thread.
            Nd4j.factory().blas().setMaxThreads(1);
            blasSet = true;
        }
    }

    private static void warnIfAvx512Unused() {
        String cpuinfo;
        try {
            cpuinfo = Files.readString(Path.of("/proc/cpuinfo"));
        } catch (IOException | RuntimeException e) {
            return; // not Linux: nothing to say
        }
        String core = openBlasCore();
        if (avx512Unused(cpuinfo, core)) {
            LOG.warn("OpenBLAS runs {} kernels on this AMD AVX-512 CPU, at a half to a fifth of the speed of its {} ones: start "
                            + "the JVM with OPENBLAS_CORETYPE={} in its environment (the segspark launcher sets it when it is "
                            + "unset; executors started otherwise take spark.executorEnv.OPENBLAS_CORETYPE)",
                    core.equals("auto") ? "the fallback (OPENBLAS_CORETYPE unset)" : "the OPENBLAS_CORETYPE=" + core,
                    OPENBLAS_CORE, OPENBLAS_CORE);
        }
    }

    /** True when the backend is ND4J's CPU build with oneDNN and DL4J's helpers can use it. */
    public static boolean oneDnnActive() {
        return BaseMKLDNNHelper.mklDnnEnabled();
    }

    /**
     * How many convolution-type, batch norm and pooling layers of a network run on a fast path, by
     * kind: segspark's own layers (libnd4j oneDNN ops, Java batch-norm kernels) or, for DL4J's
     * stock layers, an active oneDNN helper. {total, fast} per kind.
     */
    public static Map<String, int[]> coverage(ComputationGraph graph) {
        Map<String, int[]> counts = new LinkedHashMap<>();
        for (Layer layer : graph.getLayers()) {
            Layer l = layer instanceof BaseWrapperLayer w
                    ? w.getUnderlying() : layer;
            String kind = null;
            boolean fast = false;
            if (l instanceof FastConvolution2DLayer || l instanceof FastDepthwiseConvolution2DLayer
                    || l instanceof FastDeconvolution2DLayer) {
                kind = "convolution";
                fast = true;
            } else if (l instanceof ConvolutionLayer c) {
                kind = "convolution";
                fast = c.getClass() == ConvolutionLayer.class && c.getHelper() != null;
            } else if (l instanceof FastBatchNormalizationLayer) {
                kind = "batchnorm";
                fast = true;
            } else if (l instanceof BatchNormalization b) {
                kind = "batchnorm";
                fast = b.getHelper() != null;
            } else if (l instanceof SubsamplingLayer s) {
                kind = "pooling";
                fast = s.getHelper() != null;
            }
            if (kind != null) {
                int[] c = counts.computeIfAbsent(kind, k -> new int[2]);
                c[0]++;
                if (fast) {
                    c[1]++;
                }
            }
        }
        return counts;
    }

    /** True when libnd4j runs its ops on oneDNN (the onednn build of nd4j-native, oneDNN enabled). */
    public static boolean libnd4jUsesOneDnn() {
        return new Nd4jCpu.Environment().isUseMKLDNN();
    }

    private static volatile int threads;

    /**
     * Threads each op may use: libnd4j's own pool and segspark's batch-norm kernels (for the whole
     * JVM), and OpenMP's, which oneDNN reads, for the calling thread. Spark runs several training
     * tasks in one executor JVM, one per core (spark.task.cpus each): letting every task's ops use
     * every core oversubscribes the machine (measured: parameter averaging on local[2] at 0.7x of one
     * process). OpenMP keeps its thread count per thread, and oneDNN's gradients depend on it
     * (unet-mobilenetv2, three steps: parameters 2.7e-3 apart with 1 thread against 2): so every
     * thread that runs a network's ops calls this, or a task on a reused executor thread trains
     * with whatever count that thread was last given and a run stops repeating itself. Cheap to
     * call repeatedly. Convolutions split by sample (ConvOps.execByBatch) run each part at one
     * OpenMP thread on whichever thread runs it, so their results depend on n only through the
     * number of parts.
     */
    public static void setThreads(int n) {
        if (n < 1) {
            return;
        }
        if (n != threads) {
            synchronized (NativeSpeed.class) {
                Nd4j.getEnvironment().setMaxThreads(n);
                Nd4j.getEnvironment().setMaxMasterThreads(n);
                KernelThreads.set(n);
                threads = n;
            }
        }
        if (threadsOfThisThread() != n) {
            NativeOpsHolder.getInstance().getDeviceNativeOps().setOmpNumThreads(n);
        }
    }

    /** OpenMP's thread count for ops started from the calling thread. */
    public static int threadsOfThisThread() {
        return NativeOpsHolder.getInstance().getDeviceNativeOps().ompGetMaxThreads();
    }

    /** Sets OpenMP's thread count for ops started from the calling thread, when it differs. */
    static void threadsOfThisThread(int n) {
        if (threadsOfThisThread() != n) {
            NativeOpsHolder.getInstance().getDeviceNativeOps().setOmpNumThreads(n);
        }
    }

    /** A one-line description of the native backend, for logs and benchmark reports. */
    public static String describe() {
        var env = Nd4j.getExecutioner().getEnvironmentInformation();
        return "backend=" + env.getProperty("backend") + " blas=" + env.getProperty("blas.vendor")
                + " openblas_core=" + openBlasCore() + " onednn=" + libnd4jUsesOneDnn() + " onednn_helpers=" + oneDnnActive();
    }
}
