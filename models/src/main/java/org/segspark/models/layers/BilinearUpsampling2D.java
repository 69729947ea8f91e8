package org.segspark.models.layers;

import org.deeplearning4j.nn.conf.InputPreProcessor;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.InputTypeUtil;
import org.deeplearning4j.nn.conf.layers.NoParamLayer;
import org.deeplearning4j.nn.conf.memory.LayerMemoryReport;
import org.deeplearning4j.optimize.api.TrainingListener;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

import java.util.Collection;

/**
 * Bilinear upsampling by an integer factor with PyTorch's {@code align_corners=False} (half-pixel)
 * sampling, which DL4J lacks (its Upsampling2D repeats pixels). DeepLabV3+ upsamples this way.
 */
public class BilinearUpsampling2D extends NoParamLayer {
    private static final long serialVersionUID = 1L;
    private int scale;

    public BilinearUpsampling2D() {
        super();
    }

    public BilinearUpsampling2D(int scale) {
        super(new Builder());
        if (scale < 1) {
            throw new IllegalArgumentException("bilinear upsampling scale must be >= 1, got " + scale);
        }
        this.scale = scale;
    }

    public int getScale() {
        return scale;
    }

    public void setScale(int scale) {
        this.scale = scale;
    }

    @Override
    public org.deeplearning4j.nn.api.Layer instantiate(NeuralNetConfiguration conf,
                                                       Collection<TrainingListener> trainingListeners, int layerIndex,
                                                       INDArray layerParamsView, boolean initializeParams,
                                                       DataType networkDataType) {
        BilinearUpsampling2DLayer ret = new BilinearUpsampling2DLayer(conf, networkDataType);
        ret.setListeners(trainingListeners);
        ret.setIndex(layerIndex);
        ret.setParamTable(initializer().init(conf, layerParamsView, initializeParams));
        ret.setConf(conf);
        return ret;
    }

    @Override
    public InputType getOutputType(int layerIndex, InputType inputType) {
        InputType.InputTypeConvolutional c = (InputType.InputTypeConvolutional) inputType;
        return InputType.convolutional(c.getHeight() * scale, c.getWidth() * scale, c.getChannels());
    }

    @Override
    public InputPreProcessor getPreProcessorForInputType(InputType inputType) {
        return InputTypeUtil.getPreProcessorForInputTypeCnnLayers(inputType, getLayerName());
    }

    @Override
    public LayerMemoryReport getMemoryReport(InputType inputType) {
        return null;
    }

    @Override
    public BilinearUpsampling2D clone() {
        return (BilinearUpsampling2D) super.clone();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof BilinearUpsampling2D b && b.scale == scale && super.equals(o);
    }

    @Override
    public int hashCode() {
        return 31 * super.hashCode() + scale;
    }

    /** DL4J's builder plumbing; the layer has no builder options of its own. */
    static final class Builder extends org.deeplearning4j.nn.conf.layers.Layer.Builder<Builder> {
        @Override
        @SuppressWarnings("unchecked")
        public BilinearUpsampling2D build() {
            throw new UnsupportedOperationException("use new BilinearUpsampling2D(scale)");
        }
    }
}
