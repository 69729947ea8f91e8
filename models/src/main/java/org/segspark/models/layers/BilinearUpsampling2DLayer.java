package org.segspark.models.layers;

import java.util.Arrays;

import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.gradient.DefaultGradient;
import org.deeplearning4j.nn.gradient.Gradient;
import org.deeplearning4j.nn.layers.AbstractLayer;
import org.deeplearning4j.nn.workspace.ArrayType;
import org.deeplearning4j.nn.workspace.LayerWorkspaceMgr;
import org.nd4j.common.primitives.Pair;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

import java.nio.FloatBuffer;

/** Computation of {@link BilinearUpsampling2D}: separable two-tap interpolation and its adjoint, per plane. */
public class BilinearUpsampling2DLayer extends AbstractLayer<BilinearUpsampling2D> {
    private static final long serialVersionUID = 1L;

    public BilinearUpsampling2DLayer(NeuralNetConfiguration conf, DataType dataType) {
        super(conf, dataType);
    }

    @Override
    public boolean isPretrainLayer() {
        return false;
    }

    @Override
    public void clearNoiseWeightParams() {
    }

    @Override
    public Type type() {
        return Type.UPSAMPLING;
    }

    /** Taps along one axis: output o reads source lo[o] with weight 1 - frac[o] and hi[o] with frac[o]. */
    record Taps(int[] lo, int[] hi, float[] frac) {
        static Taps of(int in, int scale) {
            int out = in * scale;
            int[] lo = new int[out], hi = new int[out];
            float[] frac = new float[out];
            for (int o = 0; o < out; o++) {
                // PyTorch area_pixel_compute_source_index, align_corners=False, clamped at 0
                float src = Math.max((o + 0.5f) / scale - 0.5f, 0f);
                int i0 = (int) src;
                lo[o] = i0;
                hi[o] = i0 < in - 1 ? i0 + 1 : i0;
                frac[o] = src - i0;
            }
            return new Taps(lo, hi, frac);
        }
    }

    @Override
    public INDArray activate(boolean training, LayerWorkspaceMgr workspaceMgr) {
        assertInputSet(false);
        int s = layerConf().getScale();
        // computed in float32 whatever the network's type (float64 runs are references in tests only)
        INDArray x = DenseArrays.contiguous(input.castTo(DataType.FLOAT));
        int planes = (int) (x.size(0) * x.size(1)), h = (int) x.size(2), w = (int) x.size(3);
        int oh = h * s, ow = w * s;
        INDArray out = workspaceMgr.createUninitialized(ArrayType.ACTIVATIONS, DataType.FLOAT,
                new long[] {x.size(0), x.size(1), oh, ow}, 'c');
        Taps ty = Taps.of(h, s), tx = Taps.of(w, s);
        FloatBuffer xb = DenseArrays.buffer(x), ob = DenseArrays.buffer(out);
        float[] src = new float[h * w], rows = new float[h * ow], dst = new float[oh * ow];
        for (int p = 0; p < planes; p++) {
            xb.get(p * h * w, src, 0, h * w);
            for (int y = 0; y < h; y++) {
                for (int o = 0; o < ow; o++) {
                    float f = tx.frac[o];
                    rows[y * ow + o] = src[y * w + tx.lo[o]] * (1 - f) + src[y * w + tx.hi[o]] * f;
                }
            }
            for (int o = 0; o < oh; o++) {
                float f = ty.frac[o];
                int a = ty.lo[o] * ow, b = ty.hi[o] * ow, d = o * ow;
                for (int i = 0; i < ow; i++) {
                    dst[d + i] = rows[a + i] * (1 - f) + rows[b + i] * f;
                }
            }
            ob.put(p * oh * ow, dst, 0, oh * ow);
        }
        return input.dataType() == DataType.FLOAT ? out
                : workspaceMgr.dup(ArrayType.ACTIVATIONS, out.castTo(input.dataType()));
    }

    @Override
    public Pair<Gradient, INDArray> backpropGradient(INDArray epsilon, LayerWorkspaceMgr workspaceMgr) {
        assertInputSet(true);
        int s = layerConf().getScale();
        int planes = (int) (input.size(0) * input.size(1)), h = (int) input.size(2), w = (int) input.size(3);
        int oh = h * s, ow = w * s;
        INDArray dy = DenseArrays.contiguous(epsilon.castTo(DataType.FLOAT));
        INDArray dx = workspaceMgr.createUninitialized(ArrayType.ACTIVATION_GRAD, DataType.FLOAT, input.shape(), 'c');
        Taps ty = Taps.of(h, s), tx = Taps.of(w, s);
        FloatBuffer db = DenseArrays.buffer(dy), dxb = DenseArrays.buffer(dx);
        float[] g = new float[oh * ow], rows = new float[h * ow], acc = new float[h * w];
        for (int p = 0; p < planes; p++) {
            db.get(p * oh * ow, g, 0, oh * ow);
            Arrays.fill(rows, 0f);
            for (int o = 0; o < oh; o++) {
                float f = ty.frac[o];
                int a = ty.lo[o] * ow, b = ty.hi[o] * ow, d = o * ow;
                for (int i = 0; i < ow; i++) {
                    rows[a + i] += g[d + i] * (1 - f);
                    rows[b + i] += g[d + i] * f;
                }
            }
            Arrays.fill(acc, 0f);
            for (int y = 0; y < h; y++) {
                for (int o = 0; o < ow; o++) {
                    float f = tx.frac[o], v = rows[y * ow + o];
                    acc[y * w + tx.lo[o]] += v * (1 - f);
                    acc[y * w + tx.hi[o]] += v * f;
                }
            }
            dxb.put(p * h * w, acc, 0, h * w);
        }
        return new Pair<>(new DefaultGradient(), input.dataType() == DataType.FLOAT ? dx
                : workspaceMgr.dup(ArrayType.ACTIVATION_GRAD, dx.castTo(input.dataType())));
    }
}
