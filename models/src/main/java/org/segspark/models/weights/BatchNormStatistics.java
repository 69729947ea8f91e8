package org.segspark.models.weights;

import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.conf.graph.GraphVertex;
import org.deeplearning4j.nn.conf.graph.LayerVertex;
import org.deeplearning4j.nn.conf.layers.BatchNormalization;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.params.BatchNormalizationParamInitializer;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Re-estimates the running mean and variance of every trainable batch norm from the current
 * weights, as PyTorch's {@code swa_utils.update_bn} does: forward passes in training mode over
 * some batches, each batch norm's input moments averaged with equal weight per batch.
 *
 * <p>Why: running statistics are exponential averages collected while the weights moved. After
 * parameter averaging (or gradient sharing) the weights are an average of the workers' while the
 * statistics were measured with each worker's own weights, and in the first epochs the weights move
 * faster than the averages follow; inference with such statistics can collapse to one class even
 * when the training loss is low. Pruning changes the statistics too. Frozen batch norms keep theirs
 * (they run in inference mode).
 */
public final class BatchNormStatistics {
    private BatchNormStatistics() {
    }

    /**
     * Recomputes the statistics from at most {@code maxBatches} batches of network inputs.
     *
     * @return the number of batches used
     */
    public static int recompute(ComputationGraph net, Iterator<INDArray[]> batches, int maxBatches) {
        ComputationGraphConfiguration conf = net.getConfiguration();
        Map<String, String> bnInput = new LinkedHashMap<>();
        for (Map.Entry<String, GraphVertex> e : conf.getVertices().entrySet()) {
            if (e.getValue() instanceof LayerVertex lv && lv.getLayerConf().getLayer() instanceof BatchNormalization) {
                bnInput.put(e.getKey(), conf.getVertexInputs().get(e.getKey()).get(0));
            }
        }
        if (bnInput.isEmpty()) {
            return 0;
        }
        Map<String, double[]> sumMean = new LinkedHashMap<>(), sumVar = new LinkedHashMap<>();
        int used = 0;
        while (used < maxBatches && batches.hasNext()) {
            Map<String, INDArray> acts = net.feedForward(batches.next(), true);
            for (Map.Entry<String, String> e : bnInput.entrySet()) {
                INDArray x = acts.get(e.getValue());
                if (x == null) {
                    throw new IllegalStateException("no activation for " + e.getValue() + ", the input of " + e.getKey());
                }
                double[][] mv = moments(x);
                accumulate(sumMean, e.getKey(), mv[0]);
                accumulate(sumVar, e.getKey(), mv[1]);
            }
            used++;
        }
        if (used == 0) {
            return 0;
        }
        for (String name : bnInput.keySet()) {
            double[] m = sumMean.get(name), v = sumVar.get(name);
            float[] mean = new float[m.length], log10std = new float[m.length], var = new float[m.length];
            for (int i = 0; i < m.length; i++) {
                mean[i] = (float) (m[i] / used);
                var[i] = (float) (v[i] / used);
                log10std[i] = (float) (0.5 * Math.log10(Math.max(v[i] / used, 1e-30)));
            }
            Map<String, INDArray> params = net.getLayer(name).paramTable();
            assign(params.get(BatchNormalizationParamInitializer.GLOBAL_MEAN), mean);
            if (params.containsKey(BatchNormalizationParamInitializer.GLOBAL_LOG_STD)) {
                assign(params.get(BatchNormalizationParamInitializer.GLOBAL_LOG_STD), log10std);
            } else {
                assign(params.get(BatchNormalizationParamInitializer.GLOBAL_VAR), var);
            }
        }
        return used;
    }

    /** The names of the trainable batch norms {@link #recompute} updates. */
    public static List<String> layers(ComputationGraph net) {
        List<String> out = new ArrayList<>();
        net.getConfiguration().getVertices().forEach((name, v) -> {
            if (v instanceof LayerVertex lv && lv.getLayerConf().getLayer() instanceof BatchNormalization) {
                out.add(name);
            }
        });
        return out;
    }

    /** Per-channel mean and (biased, as the layers' own batch statistics) variance of [n, c, ...] or [n, c]. */
    static double[][] moments(INDArray x) {
        long c = x.size(1);
        // rows = channels, columns = every example and position
        INDArray rows = (x.rank() == 2 ? x.transpose() : x.reshape('c', x.size(0), c, -1).permute(1, 0, 2))
                .dup('c').reshape('c', c, -1).castTo(DataType.DOUBLE);
        INDArray mean = rows.mean(1);
        INDArray centered = rows.subColumnVector(mean.reshape(c, 1));
        INDArray var = centered.muli(centered).mean(1);
        return new double[][] {mean.toDoubleVector(), var.toDoubleVector()};
    }

    private static void accumulate(Map<String, double[]> sums, String key, double[] v) {
        double[] s = sums.computeIfAbsent(key, k -> new double[v.length]);
        for (int i = 0; i < v.length; i++) {
            s[i] += v[i];
        }
    }

    private static void assign(INDArray view, float[] values) {
        view.assign(Nd4j.createFromArray(values).reshape(view.shape()).castTo(view.dataType()));
    }
}
