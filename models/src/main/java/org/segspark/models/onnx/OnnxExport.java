package org.segspark.models.onnx;

import onnx.Onnx.GraphProto;
import onnx.Onnx.ModelProto;
import onnx.Onnx.OperatorSetIdProto;
import onnx.Onnx.StringStringEntryProto;
import onnx.Onnx.TensorProto;
import onnx.Onnx.TensorShapeProto;
import onnx.Onnx.TypeProto;
import onnx.Onnx.ValueInfoProto;
import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.conf.InputPreProcessor;
import org.deeplearning4j.nn.conf.graph.GraphVertex;
import org.deeplearning4j.nn.conf.graph.LayerVertex;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.Layer;
import org.deeplearning4j.nn.conf.layers.misc.FrozenLayer;
import org.deeplearning4j.nn.conf.layers.misc.FrozenLayerWithBackprop;
import org.deeplearning4j.nn.conf.preprocessor.CnnToFeedForwardPreProcessor;
import org.deeplearning4j.nn.conf.preprocessor.FeedForwardToCnnPreProcessor;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.segspark.models.onnx.OnnxGraph.Attr;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.ServiceLoader;

/**
 * Writes a trained DL4J network as a standard ONNX model: one float32 NCHW input named
 * {@value #INPUT}, one output named {@value #OUTPUT} holding the network's probabilities
 * ([N, classes] for classifiers, [N, channels, H, W] for segmentation), every parameter a
 * constant. The graph computes what the network computes in inference; a vertex that cannot be
 * written that way fails the export with its name and type.
 */
public final class OnnxExport {
    public static final String INPUT = "input";
    public static final String OUTPUT = "probabilities";
    public static final String BATCH_AXIS = "batch";
    public static final String PRODUCER = "segspark";

    private static final List<VertexTranslator> TRANSLATORS = translators();

    private OnnxExport() {
    }

    private static List<VertexTranslator> translators() {
        List<VertexTranslator> all = new ArrayList<>();
        for (OnnxTranslatorProvider p : ServiceLoader.load(OnnxTranslatorProvider.class, OnnxExport.class.getClassLoader())) {
            all.addAll(p.translators());
        }
        all.addAll(StandardTranslators.all());
        return List.copyOf(all);
    }

    /** The ONNX model of {@code net} for inputs of {@code input} (channels, height, width). */
    public static ModelProto export(ComputationGraph net, InputType.InputTypeConvolutional input, ExportOptions options) {
        ComputationGraphConfiguration conf = net.getConfiguration();
        if (conf.getNetworkInputs().size() != 1 || conf.getNetworkOutputs().size() != 1) {
            throw new IllegalArgumentException("ONNX export takes networks with one input and one output, this one has "
                    + conf.getNetworkInputs() + " -> " + conf.getNetworkOutputs());
        }
        String netInput = conf.getNetworkInputs().get(0), netOutput = conf.getNetworkOutputs().get(0);
        Map<String, InputType> types = conf.getLayerActivationTypes(input);
        Map<String, Integer> consumers = new HashMap<>();
        conf.getVertexInputs().values().forEach(ins -> ins.forEach(i -> consumers.merge(i, 1, Integer::sum)));

        OnnxGraph g = new OnnxGraph();
        g.reserve(INPUT);
        Map<String, String> values = new HashMap<>();
        values.put(netInput, options.normalization() == null ? INPUT : normalize(g, options.normalization(), input.getChannels()));
        types.putIfAbsent(netInput, input);
        Map<String, VertexContext.ConvFold> folds = new HashMap<>();

        for (int idx : net.topologicalSortOrder()) {
            String name = net.getVertices()[idx].getVertexName();
            if (name.equals(netInput)) {
                continue;
            }
            GraphVertex vertex = conf.getVertices().get(name);
            List<String> inputs = new ArrayList<>();
            List<InputType> inputTypes = new ArrayList<>();
            for (String in : conf.getVertexInputs().get(name)) {
                inputs.add(values.get(in));
                inputTypes.add(types.get(in));
            }
            Object c = vertex;
            if (vertex instanceof LayerVertex lv) {
                c = unwrap(lv.getLayerConf().getLayer());
                if (lv.getPreProcessor() != null) {
                    inputs.set(0, preprocess(g, name, c, lv.getPreProcessor(), inputs.get(0), inputTypes.get(0)));
                    inputTypes.set(0, lv.getPreProcessor().getOutputType(inputTypes.get(0)));
                }
            }
            boolean sole = consumers.getOrDefault(name, 0) == 1 && !name.equals(netOutput);
            VertexContext ctx = new VertexContext(g, net, name, c, inputs, inputTypes, types.get(name), options, folds, sole);
            values.put(name, translator(name, c).translate(ctx));
        }

        String last = values.get(netOutput);
        g.reserve(OUTPUT);
        if (last.equals(INPUT)) {
            g.nodeWithOutput("Identity", OUTPUT, List.of(INPUT));
        } else {
            g.rename(last, OUTPUT);
        }
        GraphProto.Builder graph = GraphProto.newBuilder().setName(PRODUCER + "_" + netOutput)
                .addInput(valueInfo(INPUT, input, options.batch()))
                .addOutput(valueInfo(OUTPUT, types.get(netOutput), options.batch()));
        g.addTo(graph);
        ModelProto.Builder model = ModelProto.newBuilder()
                .setIrVersion(options.opset() >= 15 ? 8 : 7)
                .addOpsetImport(OperatorSetIdProto.newBuilder().setDomain("").setVersion(options.opset()))
                .setProducerName(PRODUCER)
                .setProducerVersion(version())
                .setGraph(graph);
        options.metadata().entrySet().stream().sorted(Map.Entry.comparingByKey()).forEach(e ->
                model.addMetadataProps(StringStringEntryProto.newBuilder().setKey(e.getKey()).setValue(e.getValue())));
        return model.build();
    }

    private static String version() {
        String v = OnnxExport.class.getPackage().getImplementationVersion();
        return v == null ? "dev" : v;
    }

    private static Object unwrap(Layer l) {
        while (true) {
            if (l instanceof FrozenLayerWithBackprop f) {
                l = f.getUnderlying();
            } else if (l instanceof FrozenLayer f) {
                l = f.getLayer();
            } else {
                return l;
            }
        }
    }

    private static VertexTranslator translator(String name, Object conf) {
        for (VertexTranslator t : TRANSLATORS) {
            if (t.accepts(conf)) {
                return t;
            }
        }
        throw new UnsupportedLayerException(name, conf, "the exporter has no ONNX counterpart for it");
    }

    private static String preprocess(OnnxGraph g, String name, Object conf, InputPreProcessor p, String x, InputType in) {
        if (p instanceof CnnToFeedForwardPreProcessor) {
            // DL4J flattens [n, c, h, w] in row-major order, as Flatten does
            return g.node("Flatten", name + "_flatten", List.of(x), Attr.of("axis", 1L));
        }
        if (p instanceof FeedForwardToCnnPreProcessor f) {
            return g.node("Reshape", name + "_reshape", List.of(x, g.int64s(name + "_shape", -1, f.getNumChannels(),
                    f.getInputHeight(), f.getInputWidth())));
        }
        throw new UnsupportedLayerException(name, conf, "input preprocessor " + p.getClass().getSimpleName());
    }

    /** Pixel values 0-255 to what the network was trained on, in the graph. */
    private static String normalize(OnnxGraph g, InputNormalization n, long channels) {
        if (!n.perImage()) {
            String centred = g.node("Sub", "normalize_centre", List.of(INPUT, g.floats("normalize_mean", n.mean(), 1, channels, 1, 1)));
            return g.node("Div", "normalize", List.of(centred, g.floats("normalize_std", n.std(), 1, channels, 1, 1)));
        }
        // each image's own mean and standard deviation per channel, the latter floored at 1
        String mean = g.node("ReduceMean", "normalize_mean", List.of(INPUT), Attr.ints("axes", 2, 3), Attr.of("keepdims", 1L));
        String centred = g.node("Sub", "normalize_centre", List.of(INPUT, mean));
        String square = g.node("Mul", "normalize_square", List.of(centred, centred));
        String var = g.node("ReduceMean", "normalize_var", List.of(square), Attr.ints("axes", 2, 3), Attr.of("keepdims", 1L));
        String std = g.node("Max", "normalize_std", List.of(g.node("Sqrt", "normalize_sqrt", List.of(var)),
                g.floats("normalize_floor", new float[] {1f}, 1)));
        return g.node("Div", "normalize", List.of(centred, std));
    }

    private static ValueInfoProto valueInfo(String name, InputType type, int batch) {
        TensorShapeProto.Builder shape = TensorShapeProto.newBuilder();
        TensorShapeProto.Dimension.Builder b = TensorShapeProto.Dimension.newBuilder();
        shape.addDim(batch == 0 ? b.setDimParam(BATCH_AXIS) : b.setDimValue(batch));
        for (long d : dims(type)) {
            shape.addDim(TensorShapeProto.Dimension.newBuilder().setDimValue(d));
        }
        return ValueInfoProto.newBuilder().setName(name).setType(TypeProto.newBuilder().setTensorType(
                TypeProto.Tensor.newBuilder().setElemType(TensorProto.DataType.FLOAT.getNumber()).setShape(shape))).build();
    }

    /** The shape of one example. */
    static long[] dims(InputType type) {
        if (type instanceof InputType.InputTypeConvolutional c) {
            return new long[] {c.getChannels(), c.getHeight(), c.getWidth()};
        }
        if (type instanceof InputType.InputTypeFeedForward f) {
            return new long[] {f.getSize()};
        }
        throw new IllegalArgumentException("ONNX export of a network whose output is " + type);
    }
}
