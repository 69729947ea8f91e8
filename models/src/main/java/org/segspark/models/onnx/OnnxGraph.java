package org.segspark.models.onnx;

import onnx.Onnx.AttributeProto;
import onnx.Onnx.GraphProto;
import onnx.Onnx.NodeProto;
import onnx.Onnx.TensorProto;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.shade.protobuf.ByteString;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.Arrays;

/**
 * The nodes and constant tensors of an ONNX graph under construction. Names are made unique here,
 * so translators name things after the DL4J vertex they come from without clashes.
 */
public final class OnnxGraph {
    private final List<NodeProto.Builder> nodes = new ArrayList<>();
    /** By name, so a constant can be replaced (batch norm folded into the convolution's weights). */
    private final Map<String, TensorProto> initializers = new LinkedHashMap<>();
    private final Set<String> names = new HashSet<>();

    /** An attribute of a node. */
    public record Attr(AttributeProto proto) {
        public static Attr of(String name, long value) {
            return new Attr(AttributeProto.newBuilder().setName(name).setType(AttributeProto.AttributeType.INT)
                    .setI(value).build());
        }

        public static Attr of(String name, float value) {
            return new Attr(AttributeProto.newBuilder().setName(name).setType(AttributeProto.AttributeType.FLOAT)
                    .setF(value).build());
        }

        public static Attr of(String name, String value) {
            return new Attr(AttributeProto.newBuilder().setName(name).setType(AttributeProto.AttributeType.STRING)
                    .setS(ByteString.copyFromUtf8(value)).build());
        }

        public static Attr ints(String name, long... values) {
            AttributeProto.Builder b = AttributeProto.newBuilder().setName(name).setType(AttributeProto.AttributeType.INTS);
            for (long v : values) {
                b.addInts(v);
            }
            return new Attr(b.build());
        }
    }

    /** A fresh value or node name starting with {@code base}. */
    public String unique(String base) {
        String n = base;
        for (int i = 1; !names.add(n); i++) {
            n = base + "_" + i;
        }
        return n;
    }

    /** Reserves a name used as is (the graph's input and output). */
    public void reserve(String name) {
        if (!names.add(name)) {
            throw new IllegalStateException("ONNX name " + name + " used twice");
        }
    }

    /** Adds a node with one output named after {@code name}; returns the output's name. */
    public String node(String op, String name, List<String> inputs, Attr... attrs) {
        String out = unique(name);
        nodeWithOutput(op, out, inputs, attrs);
        return out;
    }

    /** Adds a node writing to the given (reserved or fresh) output name; returns the node. */
    public NodeProto.Builder nodeWithOutput(String op, String output, List<String> inputs, Attr... attrs) {
        NodeProto.Builder n = NodeProto.newBuilder().setOpType(op).setName(output).addOutput(output).addAllInput(inputs);
        for (Attr a : attrs) {
            n.addAttribute(a.proto());
        }
        nodes.add(n);
        return n;
    }

    /** A float32 constant of the given shape; {@code values} in row-major order. */
    public String floats(String name, float[] values, long... dims) {
        long count = 1;
        for (long d : dims) {
            count *= d;
        }
        if (count != values.length) {
            throw new IllegalArgumentException(name + ": " + values.length + " values for shape " + Arrays.toString(dims));
        }
        ByteBuffer b = ByteBuffer.allocate(values.length * 4).order(ByteOrder.LITTLE_ENDIAN);
        b.asFloatBuffer().put(values);
        String n = unique(name);
        put(n, TensorProto.DataType.FLOAT, b.array(), dims);
        return n;
    }

    /** A float32 constant holding {@code values} in row-major order, copied once from native memory. */
    public String floats(String name, INDArray values) {
        INDArray c = values.castTo(DataType.FLOAT).dup('c');
        ByteBuffer raw = c.data().asNio().order(ByteOrder.nativeOrder());
        raw.limit((int) (c.length() * 4));
        String n = unique(name);
        TensorProto.Builder t = TensorProto.newBuilder().setName(n).setDataType(TensorProto.DataType.FLOAT.getNumber());
        if (ByteOrder.nativeOrder() == ByteOrder.LITTLE_ENDIAN) {
            t.setRawData(ByteString.copyFrom(raw));
        } else {
            ByteBuffer le = ByteBuffer.allocate(raw.remaining()).order(ByteOrder.LITTLE_ENDIAN);
            le.asFloatBuffer().put(raw.asFloatBuffer());
            t.setRawData(ByteString.copyFrom(le.array()));
        }
        for (long d : c.shape()) {
            t.addDims(d);
        }
        initializers.put(n, t.build());
        return n;
    }

    /** Replaces the values of a float constant added before (same shape). */
    public void replaceFloats(String name, INDArray values) {
        TensorProto old = initializers.get(name);
        String fresh = floats(name + "_replacement", values);
        TensorProto t = initializers.remove(fresh);
        names.remove(fresh);
        initializers.put(name, old.toBuilder().setRawData(t.getRawData()).build());
    }

    /** An int64 constant vector (shapes, axes, slice bounds). */
    public String int64s(String name, long... values) {
        ByteBuffer b = ByteBuffer.allocate(values.length * 8).order(ByteOrder.LITTLE_ENDIAN);
        b.asLongBuffer().put(values);
        String n = unique(name);
        put(n, TensorProto.DataType.INT64, b.array(), values.length);
        return n;
    }

    private void put(String name, TensorProto.DataType type, byte[] raw, long... dims) {
        TensorProto.Builder t = TensorProto.newBuilder().setName(name).setDataType(type.getNumber())
                .setRawData(ByteString.copyFrom(raw));
        for (long d : dims) {
            t.addDims(d);
        }
        initializers.put(name, t.build());
    }

    /** The most recently added node that writes {@code output}. */
    public NodeProto.Builder producer(String output) {
        for (int i = nodes.size() - 1; i >= 0; i--) {
            if (nodes.get(i).getOutputList().contains(output)) {
                return nodes.get(i);
            }
        }
        throw new IllegalArgumentException("no node writes " + output);
    }

    /** Renames a node's output (and every later input that reads it). */
    public void rename(String from, String to) {
        for (NodeProto.Builder n : nodes) {
            for (int i = 0; i < n.getOutputCount(); i++) {
                if (n.getOutput(i).equals(from)) {
                    n.setOutput(i, to);
                    n.setName(to);
                }
            }
            for (int i = 0; i < n.getInputCount(); i++) {
                if (n.getInput(i).equals(from)) {
                    n.setInput(i, to);
                }
            }
        }
    }

    void addTo(GraphProto.Builder g) {
        nodes.forEach(n -> g.addNode(n.build()));
        initializers.values().forEach(g::addInitializer);
    }

    /** The number of parameters the graph carries as float constants. */
    long floatValues() {
        long n = 0;
        for (TensorProto t : initializers.values()) {
            if (t.getDataType() == TensorProto.DataType.FLOAT.getNumber()) {
                n += t.getRawData().size() / 4;
            }
        }
        return n;
    }
}
