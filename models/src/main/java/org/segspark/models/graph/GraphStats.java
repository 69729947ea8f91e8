package org.segspark.models.graph;

import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.conf.graph.GraphVertex;
import org.deeplearning4j.nn.conf.graph.LayerVertex;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.BatchNormalization;
import org.deeplearning4j.nn.conf.layers.ConvolutionLayer;
import org.deeplearning4j.nn.conf.layers.Deconvolution2D;
import org.deeplearning4j.nn.conf.layers.DenseLayer;
import org.deeplearning4j.nn.conf.layers.DepthwiseConvolution2D;
import org.deeplearning4j.nn.conf.layers.FeedForwardLayer;
import org.deeplearning4j.nn.conf.layers.Layer;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.conf.layers.SeparableConvolution2D;
import org.deeplearning4j.nn.conf.layers.misc.FrozenLayer;
import org.deeplearning4j.nn.conf.layers.misc.FrozenLayerWithBackprop;
import org.deeplearning4j.nn.graph.ComputationGraph;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Parameter and multiply-accumulate counts of a graph, from its configuration alone (no parameters
 * are allocated), with the conventions of the reference counters: trainable parameters exclude
 * batch-norm running statistics (DL4J stores them as parameters, PyTorch as buffers) and frozen
 * layers; MACs count convolutions (output elements x kernel area x input channels per group),
 * transposed convolutions (input elements x kernel area x output channels) and dense layers, for
 * one image.
 */
public record GraphStats(long paramsTotal, long paramsTrainable, long macs, List<LayerRow> layers) {

    /** One row of a layer-by-layer summary. */
    public record LayerRow(String name, String type, String outputShape, long params, long macs, boolean trainable) {
    }

    public static GraphStats of(ComputationGraph net, InputType input) {
        return of(net.getConfiguration(), input);
    }

    public static GraphStats of(ComputationGraphConfiguration conf, InputType input) {
        Map<String, InputType> types = conf.getLayerActivationTypes(input);
        long total = 0, trainable = 0, macs = 0;
        List<LayerRow> rows = new ArrayList<>();
        // the configuration's own order: segspark's builders add vertices after their inputs
        for (String name : conf.getVertices().keySet()) {
            GraphVertex v = conf.getVertices().get(name);
            if (v == null) {
                continue;
            }
            long params = 0, m = 0;
            boolean train = true;
            String type = v.getClass().getSimpleName();
            if (v instanceof LayerVertex lv) {
                Layer l = lv.getLayerConf().getLayer();
                params = l.initializer().numParams(lv.getLayerConf());
                if (l instanceof FrozenLayerWithBackprop f) {
                    l = f.getUnderlying();
                    train = false;
                } else if (l instanceof FrozenLayer f) {
                    l = f.getLayer();
                    train = false;
                }
                type = l.getClass().getSimpleName();
                long stats = l instanceof BatchNormalization bn ? 2 * bn.getNOut() : 0;
                if (train) {
                    trainable += params - stats;
                }
                InputType in = types.get(conf.getVertexInputs().get(name).get(0));
                m = macs(l, in, types.get(name));
            } else {
                // vertices with parameters of their own (a learnable depth, say)
                params = v.numParams(true);
                trainable += params;
            }
            total += params;
            macs += m;
            rows.add(new LayerRow(name, type, shape(types.get(name)), params, m, train));
        }
        return new GraphStats(total, trainable, macs, rows);
    }

    static long macs(Layer l, InputType in, InputType out) {
        if (l instanceof DepthwiseConvolution2D d && out instanceof InputType.InputTypeConvolutional o) {
            int[] k = d.getKernelSize();
            return o.getHeight() * o.getWidth() * o.getChannels() * (long) k[0] * k[1];
        }
        if (l instanceof SeparableConvolution2D s && out instanceof InputType.InputTypeConvolutional o
                && in instanceof InputType.InputTypeConvolutional i) {
            int[] k = s.getKernelSize();
            long depthOut = i.getChannels() * (long) s.getDepthMultiplier();
            return o.getHeight() * o.getWidth() * (depthOut * k[0] * k[1] + depthOut * o.getChannels());
        }
        if (l instanceof Deconvolution2D d && in instanceof InputType.InputTypeConvolutional i) {
            int[] k = d.getKernelSize();
            return i.getHeight() * i.getWidth() * i.getChannels() * (long) k[0] * k[1] * d.getNOut();
        }
        if (l instanceof ConvolutionLayer c && out instanceof InputType.InputTypeConvolutional o) {
            int[] k = c.getKernelSize();
            return o.getHeight() * o.getWidth() * o.getChannels() * (long) k[0] * k[1] * c.getNIn();
        }
        if ((l instanceof DenseLayer || l instanceof OutputLayer) && l instanceof FeedForwardLayer f) {
            return f.getNIn() * f.getNOut();
        }
        return 0;
    }

    static String shape(InputType t) {
        if (t == null) {
            return "?";
        }
        if (t instanceof InputType.InputTypeConvolutional c) {
            return "[" + c.getChannels() + ", " + c.getHeight() + ", " + c.getWidth() + "]";
        }
        if (t instanceof InputType.InputTypeFeedForward f) {
            return "[" + f.getSize() + "]";
        }
        return t.toString();
    }
}
