package org.segspark.models;

import org.deeplearning4j.config.DL4JSystemProperties;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.layers.convolution.ConvolutionLayer;
import org.deeplearning4j.nn.layers.convolution.subsampling.SubsamplingLayer;
import org.deeplearning4j.nn.layers.mkldnn.BaseMKLDNNHelper;
import org.deeplearning4j.nn.layers.normalization.BatchNormalization;
import org.nd4j.linalg.factory.Nd4j;

import java.util.LinkedHashMap;
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

    public static void enable() {
        System.setProperty(DL4JSystemProperties.DISABLE_HELPER_PROPERTY, "false");
    }

    /** True when the backend is ND4J's CPU build with oneDNN and DL4J's helpers can use it. */
    public static boolean oneDnnActive() {
        return BaseMKLDNNHelper.mklDnnEnabled();
    }

    /** How many conv, batch norm and pooling layers of a network run on a oneDNN helper, by layer type. */
    public static Map<String, int[]> helperCoverage(ComputationGraph graph) {
        Map<String, int[]> counts = new LinkedHashMap<>();
        for (org.deeplearning4j.nn.api.Layer l : graph.getLayers()) {
            String type = null;
            Object helper = null;
            if (l instanceof ConvolutionLayer c && l.getClass() == ConvolutionLayer.class) {
                type = "convolution";
                helper = c.getHelper();
            } else if (l instanceof BatchNormalization b) {
                type = "batchnorm";
                helper = b.getHelper();
            } else if (l instanceof SubsamplingLayer s) {
                type = "pooling";
                helper = s.getHelper();
            }
            if (type != null) {
                int[] c = counts.computeIfAbsent(type, k -> new int[2]);
                c[1]++;
                if (helper != null) {
                    c[0]++;
                }
            }
        }
        return counts;
    }

    /** A one-line description of the native backend, for logs and benchmark reports. */
    public static String describe() {
        var env = Nd4j.getExecutioner().getEnvironmentInformation();
        return "backend=" + env.getProperty("backend") + " blas=" + env.getProperty("blas.vendor")
                + " omp_threads=" + env.getProperty("omp.threads") + " onednn_helpers=" + oneDnnActive();
    }
}
