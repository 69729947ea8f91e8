package org.segspark.models.layers;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.util.Random;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.segspark.models.layers.BatchNormKernels.Act;

/**
 * The block kernels against a float64 evaluation of batch norm's formulas, over plane sizes from
 * 1x1 to larger than a block, batch sizes on both sides of the float-sum flush, every fused
 * activation, and tensors big enough to be split across threads. The largest case has elements at
 * HardSwish's edge z = +-3 exactly, where its derivative jumps.
 */
class BatchNormKernelsTest {
    private static FloatBuffer direct(float[] v) {
        FloatBuffer b = ByteBuffer.allocateDirect(v.length * 4).order(ByteOrder.nativeOrder()).asFloatBuffer();
        b.put(0, v);
        return b;
    }

    private static float[] read(FloatBuffer b, int len) {
        float[] v = new float[len];
        b.get(0, v);
        return v;
    }

    private static double act(Act act, double z) {
        return switch (act) {
            case IDENTITY -> z;
            case RELU -> Math.max(z, 0);
            case RELU6 -> Math.min(Math.max(z, 0), 6);
            case HARDSWISH -> z * Math.min(Math.max(z + 3, 0), 6) / 6;
        };
    }

    private static double derivative(Act act, double z) {
        return switch (act) {
            case IDENTITY -> 1;
            case RELU -> z > 0 ? 1 : 0;
            case RELU6 -> z > 0 && z < 6 ? 1 : 0;
            case HARDSWISH -> z < -3 ? 0 : z > 3 ? 1 : z / 3 + 0.5;
        };
    }

    /**
     * z as the kernels compute it, in float: the activations' derivatives jump at their edges
     * (HARDSWISH's by 0.5 at -3), and over 655,360 elements a few fall within float rounding of one.
     */
    private static double floatZ(float x, float a, float b) {
        return x * a + b;
    }

    private static void close(double[] expected, float[] actual, double tol, String what) {
        double num = 0, den = 0;
        for (int i = 0; i < expected.length; i++) {
            num += (expected[i] - actual[i]) * (expected[i] - actual[i]);
            den += expected[i] * expected[i];
        }
        double rel = Math.sqrt(num / Math.max(den, 1e-30));
        assertTrue(rel < tol, what + ": relative error " + rel);
    }

    /** The sums on the Vector API, as every segspark JVM runs them (conf/jvm.options adds its module). */
    @ParameterizedTest(name = "n={0} c={1} hw={2} {3}")
    @CsvSource(delimiter = ',', textBlock = """
            3, 5, 1, RELU6
            20, 37, 1, IDENTITY
            17, 12, 4, RELU
            32, 9, 9, HARDSWISH
            2, 70, 64, RELU6
            4, 384, 64, RELU6
            8, 40, 16, HARDSWISH
            3, 20, 49, RELU
            16, 300, 25, IDENTITY
            32, 64, 255, RELU6
            5, 3, 5000, RELU
            20, 8, 1000, HARDSWISH
            40, 700, 4, RELU6
            5, 2, 65536, HARDSWISH
            64, 3, 1024, RELU6
            """)
    void matchFloat64FormulasWithVectorSums(int n, int c, int hw, Act act) {
        assertTrue(BatchNormKernels.simd, "the test JVM lacks --add-modules=jdk.incubator.vector (conf/jvm.options, pom.xml)");
        matchFloat64Formulas(n, c, hw, act);
    }

    /** The scalar sums, what a JVM without the Vector API module runs. */
    @ParameterizedTest(name = "n={0} c={1} hw={2} {3}")
    @CsvSource(delimiter = ',', textBlock = """
            17, 12, 4, RELU
            2, 70, 64, RELU6
            5, 3, 5000, RELU
            20, 8, 1000, HARDSWISH
            64, 3, 1024, RELU6
            """)
    void matchFloat64FormulasWithScalarSums(int n, int c, int hw, Act act) {
        boolean was = BatchNormKernels.simd;
        BatchNormKernels.simd = false;
        try {
            matchFloat64Formulas(n, c, hw, act);
        } finally {
            BatchNormKernels.simd = was;
        }
    }

    private void matchFloat64Formulas(int n, int c, int hw, Act act) {
        Random r = new Random(n * 31L + c * 7L + hw);
        int len = n * c * hw;
        float[] x = new float[len], dy = new float[len];
        float[] gamma = new float[c], beta = new float[c];
        for (int i = 0; i < len; i++) {
            x[i] = (float) (r.nextGaussian() * 2 + 1);
            dy[i] = (float) r.nextGaussian();
        }
        for (int ch = 0; ch < c; ch++) {
            gamma[ch] = (float) (0.5 + r.nextDouble());
            beta[ch] = (float) r.nextGaussian();
        }
        double m = (double) n * hw;
        double[] mean = new double[c], var = new double[c];
        for (int ch = 0; ch < c; ch++) {
            for (int b = 0; b < n; b++) {
                for (int p = 0; p < hw; p++) {
                    mean[ch] += x[(b * c + ch) * hw + p] / m;
                }
            }
            for (int b = 0; b < n; b++) {
                for (int p = 0; p < hw; p++) {
                    double d = x[(b * c + ch) * hw + p] - mean[ch];
                    var[ch] += d * d / m;
                }
            }
        }
        float[] fm = new float[c], fv = new float[c];
        BatchNormKernels.moments(direct(x), n, c, hw, fm, fv);
        close(mean, fm, 1e-6, "mean");
        close(var, fv, 1e-5, "variance");

        float[] invStd = new float[c], a = new float[c], bb = new float[c];
        for (int ch = 0; ch < c; ch++) {
            invStd[ch] = (float) (1 / Math.sqrt(var[ch] + 1e-5));
            a[ch] = gamma[ch] * invStd[ch];
            bb[ch] = (float) (beta[ch] - fm[ch] * a[ch]);
        }
        double[] y = new double[len], dx = new double[len], dxFixed = new double[len];
        double[] dGamma = new double[c], dBeta = new double[c];
        for (int ch = 0; ch < c; ch++) {
            double sg = 0, sgx = 0;
            for (int b = 0; b < n; b++) {
                for (int p = 0; p < hw; p++) {
                    int i = (b * c + ch) * hw + p;
                    double z = (double) a[ch] * x[i] + bb[ch];
                    y[i] = act(act, z);
                    double g = dy[i] * derivative(act, floatZ(x[i], a[ch], bb[ch]));
                    sg += g;
                    sgx += g * (x[i] - fm[ch]) * invStd[ch];
                    dxFixed[i] = g * a[ch];
                }
            }
            dBeta[ch] = sg;
            dGamma[ch] = sgx;
            for (int b = 0; b < n; b++) {
                for (int p = 0; p < hw; p++) {
                    int i = (b * c + ch) * hw + p;
                    double z = (double) a[ch] * x[i] + bb[ch];
                    double g = dy[i] * derivative(act, floatZ(x[i], a[ch], bb[ch]));
                    double xhat = (x[i] - fm[ch]) * invStd[ch];
                    dx[i] = a[ch] * (g - sg / m - xhat * sgx / m);
                }
            }
        }
        FloatBuffer out = direct(new float[len]);
        BatchNormKernels.normalize(direct(x), out, n, c, hw, a, bb, act);
        close(y, read(out, len), 1e-6, "output");

        float[] dg = new float[c], db = new float[c];
        FloatBuffer dxb = direct(new float[len]);
        BatchNormKernels.backward(direct(x), direct(dy), dxb, n, c, hw, fm, invStd, gamma, beta, act, dg, db);
        close(dx, read(dxb, len), 1e-4, "input gradient");
        close(dGamma, dg, 1e-5, "gamma gradient");
        close(dBeta, db, 1e-5, "beta gradient");

        FloatBuffer dxf = direct(new float[len]);
        BatchNormKernels.backwardFixed(direct(x), direct(dy), dxf, n, c, hw, a, bb, fm, invStd, act, dg, db);
        close(dxFixed, read(dxf, len), 1e-6, "input gradient, fixed statistics");
        close(dGamma, dg, 1e-5, "gamma gradient, fixed statistics");
        close(dBeta, db, 1e-5, "beta gradient, fixed statistics");
    }
}
