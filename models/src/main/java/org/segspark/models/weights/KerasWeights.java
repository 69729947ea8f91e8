package org.segspark.models.weights;

import java.io.IOException;
import java.util.Locale;

import org.deeplearning4j.nn.api.Layer;
import org.deeplearning4j.nn.conf.layers.BatchNormalization;
import org.deeplearning4j.nn.conf.layers.ConvolutionLayer;
import org.deeplearning4j.nn.conf.layers.Deconvolution2D;
import org.deeplearning4j.nn.conf.layers.DepthwiseConvolution2D;
import org.deeplearning4j.nn.conf.layers.FeedForwardLayer;
import org.deeplearning4j.nn.conf.layers.misc.FrozenLayer;
import org.deeplearning4j.nn.conf.layers.misc.FrozenLayerWithBackprop;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.modelimport.keras.Hdf5Archive;
import org.deeplearning4j.nn.modelimport.keras.exceptions.UnsupportedKerasConfigurationException;
import org.deeplearning4j.nn.params.BatchNormalizationParamInitializer;
import org.deeplearning4j.nn.params.ConvolutionParamInitializer;
import org.deeplearning4j.nn.params.DefaultParamInitializer;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.ops.transforms.Transforms;

import java.io.FileNotFoundException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Loads a Keras weights file (HDF5, as Keras Applications publishes them, e.g. the VGG16 and
 * MobileNetV2 "notop" files) into a network by layer name. segspark's VGG16 and MobileNetV2
 * encoders carry Keras Applications' layer names, so the file's layers land where they belong.
 *
 * <p>Every file layer with weights whose name is a layer of the network is loaded, with its shape
 * checked; the file's other layers (the top, or a MobileNetV2's last 1x1 conv when the model does
 * not have it) are listed in the result, never silently dropped. Layouts: Keras conv kernels
 * [kh, kw, in, out] become DL4J's [out, in, kh, kw]; depthwise kernels [kh, kw, in, multiplier]
 * are DL4J's layout already; dense kernels [in, out] too; batch norm moving variance becomes the
 * log10 standard deviation DL4J stores. Keras' batch norm epsilon (1e-3) is not copied: the
 * network keeps its own (1e-5), a difference below 0.1% of any variance above 1e-2. Keras'
 * MobileNetV2 pads its stride-2 convolutions on the bottom/right only, segspark's (torchvision's)
 * on every side, so Keras weights see a grid shifted by one pixel at those layers: fine for
 * fine-tuning, not a bit-exact port of Keras' outputs.
 */
public final class KerasWeights {
    private KerasWeights() {
    }

    /**
     * @param loaded      network layers that received weights, in file order
     * @param params      parameters copied
     * @param notInModel  file layers with weights that the network does not have
     */
    public record Result(List<String> loaded, long params, List<String> notInModel) {
        public String describe(Path file) {
            return String.format(Locale.ROOT, "%d layers (%,d parameters) loaded from %s%s", loaded.size(),
                    params, file.getFileName(), notInModel.isEmpty() ? "" : "; not in the model: " + String.join(", ", notInModel));
        }
    }

    public static Result load(ComputationGraph net, Path file) throws IOException {
        if (!Files.isRegularFile(file)) {
            throw new FileNotFoundException("pretrained weights " + file + " not found");
        }
        Map<String, Map<String, INDArray>> layers = read(file);
        List<String> loaded = new ArrayList<>(), notInModel = new ArrayList<>();
        long params = 0;
        for (Map.Entry<String, Map<String, INDArray>> e : layers.entrySet()) {
            String name = e.getKey();
            if (net.getConfiguration().getVertices().get(name) == null || net.getLayer(name) == null) {
                notInModel.add(name);
                continue;
            }
            params += assign(net.getLayer(name), e.getValue(), file, name);
            loaded.add(name);
        }
        if (loaded.isEmpty()) {
            throw new IllegalArgumentException("no layer of " + file + " (" + String.join(", ", layers.keySet())
                    + ") is a layer of the model; is it the weights file of another architecture?");
        }
        return new Result(loaded, params, notInModel);
    }

    /** Layer name -> weight name (without Keras' ":0") -> array, for the layers that have weights. */
    static Map<String, Map<String, INDArray>> read(Path file) throws IOException {
        Map<String, Map<String, INDArray>> out = new LinkedHashMap<>();
        Hdf5Archive h5;
        try {
            h5 = new Hdf5Archive(file.toString());
        } catch (RuntimeException e) {
            throw new IOException(file + " is not an HDF5 file: " + e.getMessage(), e);
        }
        try (h5) {
            // Keras writes the weights under a group per layer (model.save) or at the root (save_weights)
            String[] root = h5.getGroups().contains("model_weights") ? new String[] {"model_weights"} : new String[0];
            for (String layer : h5.getGroups(root)) {
                Map<String, INDArray> weights = new LinkedHashMap<>();
                collect(h5, append(root, layer), weights);
                if (!weights.isEmpty()) {
                    out.put(layer, weights);
                }
            }
        } catch (UnsupportedKerasConfigurationException e) {
            throw new IOException(file + ": " + e.getMessage(), e);
        }
        return out;
    }

    private static void collect(Hdf5Archive h5, String[] path, Map<String, INDArray> into)
            throws UnsupportedKerasConfigurationException {
        for (String ds : h5.getDataSets(path)) {
            String key = ds.endsWith(":0") ? ds.substring(0, ds.length() - 2) : ds;
            into.put(key, h5.readDataSet(ds, path));
        }
        for (String g : h5.getGroups(path)) {
            collect(h5, append(path, g), into);
        }
    }

    private static String[] append(String[] path, String name) {
        String[] p = Arrays.copyOf(path, path.length + 1);
        p[path.length] = name;
        return p;
    }

    private static long assign(Layer layer, Map<String, INDArray> w, Path file, String name) {
        org.deeplearning4j.nn.conf.layers.Layer conf = layer.conf().getLayer();
        if (conf instanceof FrozenLayerWithBackprop f) {
            conf = f.getUnderlying();
        } else if (conf instanceof FrozenLayer f) {
            conf = f.getLayer();
        }
        Map<String, INDArray> params = layer.paramTable();
        long n = 0;
        if (conf instanceof BatchNormalization) {
            n += copy(params, BatchNormalizationParamInitializer.GAMMA, need(w, "gamma", file, name), file, name);
            n += copy(params, BatchNormalizationParamInitializer.BETA, need(w, "beta", file, name), file, name);
            n += copy(params, BatchNormalizationParamInitializer.GLOBAL_MEAN, need(w, "moving_mean", file, name), file, name);
            INDArray var = need(w, "moving_variance", file, name);
            if (params.containsKey(BatchNormalizationParamInitializer.GLOBAL_LOG_STD)) {
                INDArray log10std = Transforms.log(var, 10, true).muli(0.5);
                n += copy(params, BatchNormalizationParamInitializer.GLOBAL_LOG_STD, log10std, file, name);
            } else {
                n += copy(params, BatchNormalizationParamInitializer.GLOBAL_VAR, var, file, name);
            }
        } else if (conf instanceof DepthwiseConvolution2D) {
            n += copy(params, ConvolutionParamInitializer.WEIGHT_KEY, need(w, "depthwise_kernel", file, name), file, name);
            n += bias(params, w, file, name);
        } else if (conf instanceof Deconvolution2D) {
            // Keras Conv2DTranspose: [kh, kw, out, in]; DL4J: [in, out, kh, kw]
            n += copy(params, ConvolutionParamInitializer.WEIGHT_KEY, need(w, "kernel", file, name).permute(3, 2, 0, 1), file, name);
            n += bias(params, w, file, name);
        } else if (conf instanceof ConvolutionLayer) {
            n += copy(params, ConvolutionParamInitializer.WEIGHT_KEY, need(w, "kernel", file, name).permute(3, 2, 0, 1), file, name);
            n += bias(params, w, file, name);
        } else if (conf instanceof FeedForwardLayer) {
            n += copy(params, DefaultParamInitializer.WEIGHT_KEY, need(w, "kernel", file, name), file, name);
            n += bias(params, w, file, name);
        } else {
            throw new IllegalArgumentException(file + ": layer " + name + " has weights " + w.keySet() + " but the model's "
                    + name + " is a " + conf.getClass().getSimpleName() + ", which takes none");
        }
        return n;
    }

    private static long bias(Map<String, INDArray> params, Map<String, INDArray> w, Path file, String name) {
        boolean fileHas = w.containsKey("bias"), modelHas = params.containsKey(DefaultParamInitializer.BIAS_KEY);
        if (fileHas != modelHas) {
            throw new IllegalArgumentException(file + ": layer " + name + (fileHas ? " has a bias, the model's has none"
                    : " has no bias, the model's has one"));
        }
        return fileHas ? copy(params, DefaultParamInitializer.BIAS_KEY, w.get("bias"), file, name) : 0;
    }

    private static INDArray need(Map<String, INDArray> w, String key, Path file, String name) {
        INDArray a = w.get(key);
        if (a == null) {
            throw new IllegalArgumentException(file + ": layer " + name + " has no " + key + " (it has " + w.keySet() + ")");
        }
        return a;
    }

    private static long copy(Map<String, INDArray> params, String key, INDArray value, Path file, String name) {
        INDArray target = params.get(key);
        if (target.length() != value.length()
                || (value.rank() > 1 && !Arrays.equals(squeeze(target.shape()), squeeze(value.shape())))) {
            throw new IllegalArgumentException(file + ": layer " + name + " " + key + " has shape " + Arrays.toString(value.shape())
                    + " (in DL4J's layout), the model's has " + Arrays.toString(target.shape()));
        }
        target.assign(value.reshape(target.shape()).castTo(target.dataType()));
        return value.length();
    }

    private static long[] squeeze(long[] shape) {
        return Arrays.stream(shape).filter(d -> d != 1).toArray();
    }
}
