package org.segspark.models.onnx;

import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.nd4j.linalg.activations.IActivation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

import java.util.List;
import java.util.Map;

/** What a {@link VertexTranslator} sees of the vertex it writes, and the graph it writes into. */
public final class VertexContext {
    private final OnnxGraph graph;
    private final ComputationGraph net;
    private final String vertex;
    private final Object conf;
    private final List<String> inputs;
    private final List<InputType> inputTypes;
    private final InputType outputType;
    private final ExportOptions options;
    private final Map<String, ConvFold> folds;
    private final boolean soleConsumerOfOutput;

    /**
     * A convolution whose output only its batch norm reads, and whose weights that batch norm may
     * therefore scale: {@code outAxis} is the output channel axis of the weight tensor.
     */
    public record ConvFold(String node, String weights, INDArray w, String bias, INDArray b, int outAxis) {
    }

    VertexContext(OnnxGraph graph, ComputationGraph net, String vertex, Object conf, List<String> inputs,
                  List<InputType> inputTypes, InputType outputType, ExportOptions options, Map<String, ConvFold> folds,
                  boolean soleConsumerOfOutput) {
        this.graph = graph;
        this.net = net;
        this.vertex = vertex;
        this.conf = conf;
        this.inputs = inputs;
        this.inputTypes = inputTypes;
        this.outputType = outputType;
        this.options = options;
        this.folds = folds;
        this.soleConsumerOfOutput = soleConsumerOfOutput;
    }

    public OnnxGraph graph() {
        return graph;
    }

    /** The DL4J vertex name; ONNX names derived from it stay recognisable in Netron and trtexec logs. */
    public String name() {
        return vertex;
    }

    @SuppressWarnings("unchecked")
    public <T> T conf() {
        return (T) conf;
    }

    public List<String> inputs() {
        return inputs;
    }

    public String input() {
        return inputs.get(0);
    }

    public InputType inputType(int i) {
        return inputTypes.get(i);
    }

    public InputType outputType() {
        return outputType;
    }

    public ExportOptions options() {
        return options;
    }

    /** A parameter of the vertex as float32 values in row-major order. */
    public float[] floats(String key) {
        return param(key).castTo(DataType.FLOAT).dup('c').reshape(param(key).length()).toFloatVector();
    }

    public long[] shape(String key) {
        return param(key).shape();
    }

    public boolean hasParam(String key) {
        return net.getVertex(vertex).paramTable(false).containsKey(key);
    }

    public INDArray param(String key) {
        INDArray p = net.getVertex(vertex).paramTable(false).get(key);
        if (p == null) {
            throw unsupported("it has no parameter " + key);
        }
        return p;
    }

    /** Applies a DL4J activation function to {@code value}. */
    public String activation(String value, IActivation activation) {
        return Activations.write(this, value, activation);
    }

    public UnsupportedLayerException unsupported(String why) {
        return new UnsupportedLayerException(vertex, conf, why);
    }

    /** Offers a convolution's weights to the batch norm that alone reads its output. */
    public void offerFold(String output, ConvFold fold) {
        if (options.foldBatchNorm() && soleConsumerOfOutput) {
            folds.put(output, fold);
        }
    }

    /** The convolution writing {@code value}, when batch norm may be folded into it. */
    public ConvFold fold(String value) {
        return folds.remove(value);
    }
}
