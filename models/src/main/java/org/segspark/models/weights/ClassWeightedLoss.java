package org.segspark.models.weights;

import org.nd4j.linalg.api.buffer.DataType;

import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.conf.graph.GraphVertex;
import org.deeplearning4j.nn.conf.graph.LayerVertex;
import org.deeplearning4j.nn.conf.layers.BaseOutputLayer;
import org.deeplearning4j.nn.conf.layers.CnnLossLayer;
import org.deeplearning4j.nn.conf.layers.Layer;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.lossfunctions.ILossFunction;
import org.nd4j.linalg.lossfunctions.impl.LossMCXENT;

/**
 * Per-class weights in a registry model's softmax cross-entropy: the loss of an example (pixel)
 * of class c is multiplied by w[c]. Set on the output layer's configuration, so the weights travel
 * with the network: to Spark workers, into checkpoints and saved models.
 */
public final class ClassWeightedLoss {
    private ClassWeightedLoss() {
    }

    /**
     * Replaces the cross-entropy of every output layer of {@code net} by one weighted with
     * {@code weights} (one per output class; the caller checks the count, DL4J checks it again
     * at the first step). The layers hold their configuration by reference,
     * so an initialised network computes with the new loss from the next step on.
     */
    public static void apply(ComputationGraph net, double[] weights) {
        ComputationGraphConfiguration conf = net.getConfiguration();
        int applied = 0;
        for (String output : conf.getNetworkOutputs()) {
            GraphVertex v = conf.getVertices().get(output);
            if (!(v instanceof LayerVertex lv)) {
                continue;
            }
            Layer layer = lv.getLayerConf().getLayer();
            ILossFunction loss = layer instanceof BaseOutputLayer o ? o.getLossFn()
                    : layer instanceof CnnLossLayer c ? c.getLossFn() : null;
            if (!(loss instanceof LossMCXENT mcxent)) {
                throw new IllegalArgumentException("class weights need a softmax cross-entropy output; output "
                        + output + " has " + (loss == null ? layer.getClass().getSimpleName() : loss.name())
                        + (loss != null && loss.name().contains("XENT") ? " (a sigmoid head: use head = softmax)" : ""));
            }
            LossMCXENT weighted = new LossMCXENT(mcxent.getSoftmaxClipEps(),
                    Nd4j.create(weights, new long[] {1, weights.length}, DataType.FLOAT));
            if (layer instanceof BaseOutputLayer o) {
                o.setLossFn(weighted);
            } else {
                ((CnnLossLayer) layer).setLossFn(weighted);
            }
            applied++;
        }
        if (applied == 0) {
            throw new IllegalArgumentException("the network has no output layer to weight");
        }
    }

    /** The weights of an output's loss, or null when it is unweighted. */
    public static double[] of(ComputationGraph net, String output) {
        GraphVertex v = net.getConfiguration().getVertices().get(output);
        Layer layer = ((LayerVertex) v).getLayerConf().getLayer();
        ILossFunction loss = layer instanceof BaseOutputLayer o ? o.getLossFn() : ((CnnLossLayer) layer).getLossFn();
        return loss instanceof LossMCXENT m && m.getWeights() != null ? m.getWeights().toDoubleVector() : null;
    }
}
