package org.segspark.models.layers;


import org.deeplearning4j.nn.conf.CNN2DFormat;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.gradient.DefaultGradient;
import org.deeplearning4j.nn.gradient.Gradient;
import org.deeplearning4j.nn.layers.normalization.BatchNormalization;
import org.deeplearning4j.nn.params.BatchNormalizationParamInitializer;
import org.deeplearning4j.nn.workspace.ArrayType;
import org.deeplearning4j.nn.workspace.LayerWorkspaceMgr;
import org.nd4j.common.primitives.Pair;
import org.nd4j.linalg.activations.IActivation;
import org.nd4j.linalg.activations.impl.ActivationIdentity;
import org.nd4j.linalg.activations.impl.ActivationReLU;
import org.nd4j.linalg.activations.impl.ActivationReLU6;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * The training and inference computation of {@link FastBatchNormalization}: NCHW float input through
 * {@link BatchNormKernels}; anything else (rank-2 input, NHWC, other data types or activations)
 * falls back to DL4J's batch norm followed by the activation.
 */
public class FastBatchNormalizationLayer extends BatchNormalization {
    private static final long serialVersionUID = 1L;

    /** What the forward pass left for the backward pass. */
    private transient float[] batchMean;
    private transient float[] batchInvStd;
    private transient boolean lastTraining;
    private transient boolean lastFast;

    public FastBatchNormalizationLayer(NeuralNetConfiguration conf, DataType dataType) {
        super(conf, dataType);
    }

    private BatchNormKernels.Act act() {
        IActivation a = layerConf().getActivationFn();
        if (a == null || a instanceof ActivationIdentity) {
            return BatchNormKernels.Act.IDENTITY;
        }
        if (a instanceof ActivationReLU r && r.getMax() == null && zero(r.getThreshold()) && zero(r.getNegativeSlope())) {
            return BatchNormKernels.Act.RELU;
        }
        if (a instanceof ActivationReLU6) {
            return BatchNormKernels.Act.RELU6;
        }
        if (a instanceof ActivationHardSwish) {
            return BatchNormKernels.Act.HARDSWISH;
        }
        return null;
    }

    private static boolean zero(Double d) {
        return d == null || d == 0.0;
    }

    private boolean fastPath(INDArray x) {
        return x.rank() == 4 && x.dataType() == DataType.FLOAT && dataType == DataType.FLOAT
                && layerConf().getCnn2DFormat() == CNN2DFormat.NCHW && !layerConf().isLockGammaBeta()
                && layerConf().isUseLogStd() && act() != null;
    }

    @Override
    public INDArray activate(boolean training, LayerWorkspaceMgr workspaceMgr) {
        assertInputSet(false);
        INDArray x = input;
        lastFast = fastPath(x);
        if (!lastFast) {
            INDArray out = super.activate(training, workspaceMgr);
            return layerConf().getActivationFn().getActivation(out, training);
        }
        x = DenseArrays.contiguous(x);
        int n = (int) x.size(0), c = (int) x.size(1), hw = (int) (x.size(2) * x.size(3));
        if (c != layerConf().getNOut()) {
            throw new IllegalArgumentException("input has " + c + " channels, batch norm " + layerConf().getLayerName()
                    + " expects " + layerConf().getNOut());
        }
        float[] gamma = PlaneKernels.read(getParam(BatchNormalizationParamInitializer.GAMMA));
        float[] beta = PlaneKernels.read(getParam(BatchNormalizationParamInitializer.BETA));
        float[] mean;
        float[] var;
        if (training) {
            mean = new float[c];
            var = new float[c];
            BatchNormKernels.moments(DenseArrays.buffer(x), n, c, hw, mean, var);
        } else {
            mean = PlaneKernels.read(getParam(BatchNormalizationParamInitializer.GLOBAL_MEAN));
            float[] log10std = PlaneKernels.read(getParam(BatchNormalizationParamInitializer.GLOBAL_LOG_STD));
            var = new float[c];
            for (int i = 0; i < c; i++) {
                double s = Math.pow(10, log10std[i]);
                var[i] = (float) (s * s);
            }
        }
        float eps = (float) layerConf().getEps();
        float[] invStd = new float[c], a = new float[c], b = new float[c];
        for (int i = 0; i < c; i++) {
            invStd[i] = (float) (1.0 / Math.sqrt(var[i] + eps));
            a[i] = gamma[i] * invStd[i];
            b[i] = beta[i] - mean[i] * a[i];
        }
        INDArray out = workspaceMgr.createUninitialized(ArrayType.ACTIVATIONS, DataType.FLOAT, x.shape(), 'c');
        BatchNormKernels.normalize(DenseArrays.buffer(x), DenseArrays.buffer(out), n, c, hw, a, b, act());
        batchMean = mean;
        batchInvStd = invStd;
        lastTraining = training;
        if (training) {
            batchVar = var;
        }
        return out;
    }

    private transient float[] batchVar;

    @Override
    public Pair<Gradient, INDArray> backpropGradient(INDArray epsilon, LayerWorkspaceMgr workspaceMgr) {
        assertInputSet(true);
        if (!lastFast || batchMean == null) {
            INDArray out = super.activate(true, LayerWorkspaceMgr.noWorkspaces());
            INDArray delta = layerConf().getActivationFn().backprop(out, epsilon).getFirst();
            return super.backpropGradient(delta, workspaceMgr);
        }
        INDArray x = DenseArrays.contiguous(input);
        INDArray dy = DenseArrays.contiguous(epsilon);
        int n = (int) x.size(0), c = (int) x.size(1), hw = (int) (x.size(2) * x.size(3));
        float[] gamma = PlaneKernels.read(getParam(BatchNormalizationParamInitializer.GAMMA));
        float[] beta = PlaneKernels.read(getParam(BatchNormalizationParamInitializer.BETA));
        float[] dGamma = new float[c], dBeta = new float[c];
        INDArray dx = workspaceMgr.createUninitialized(ArrayType.ACTIVATION_GRAD, DataType.FLOAT, x.shape(), 'c');
        if (lastTraining) {
            BatchNormKernels.backward(DenseArrays.buffer(x), DenseArrays.buffer(dy), DenseArrays.buffer(dx), n, c, hw, batchMean, batchInvStd, gamma, beta,
                    act(), dGamma, dBeta);
        } else {
            float[] a = new float[c], b = new float[c];
            for (int i = 0; i < c; i++) {
                a[i] = gamma[i] * batchInvStd[i];
                b[i] = beta[i] - batchMean[i] * a[i];
            }
            BatchNormKernels.backwardFixed(DenseArrays.buffer(x), DenseArrays.buffer(dy), DenseArrays.buffer(dx), n, c, hw, a, b, batchMean, batchInvStd,
                    act(), dGamma, dBeta);
        }
        INDArray dGammaView = gradientViews.get(BatchNormalizationParamInitializer.GAMMA);
        INDArray dBetaView = gradientViews.get(BatchNormalizationParamInitializer.BETA);
        INDArray dMeanView = gradientViews.get(BatchNormalizationParamInitializer.GLOBAL_MEAN);
        INDArray dLogStdView = gradientViews.get(BatchNormalizationParamInitializer.GLOBAL_LOG_STD);
        PlaneKernels.write(dGammaView, dGamma);
        PlaneKernels.write(dBetaView, dBeta);

        // Running statistics move by "gradients" that DL4J applies with a no-op updater
        // (param -= gradient), which keeps them correct under parameter averaging and gradient
        // sharing: mean' = d*mean + (1-d)*batchMean; var' = d*var + (1-d)*batchVar, stored as log10(std).
        float[] dMean = new float[c], dLogStd = new float[c];
        if (lastTraining) {
            double d = layerConf().getDecay();
            float[] globalMean = PlaneKernels.read(getParam(BatchNormalizationParamInitializer.GLOBAL_MEAN));
            float[] log10std = PlaneKernels.read(getParam(BatchNormalizationParamInitializer.GLOBAL_LOG_STD));
            for (int i = 0; i < c; i++) {
                dMean[i] = (float) ((1 - d) * (globalMean[i] - batchMean[i]));
                double s = Math.pow(10, log10std[i]);
                double vari = s * s;
                double varNext = d * vari + (1 - d) * batchVar[i];
                dLogStd[i] = (float) (0.5 * Math.log10(vari / varNext));
            }
        }
        PlaneKernels.write(dMeanView, dMean);
        PlaneKernels.write(dLogStdView, dLogStd);

        Gradient g = new DefaultGradient();
        g.setGradientFor(BatchNormalizationParamInitializer.GAMMA, dGammaView);
        g.setGradientFor(BatchNormalizationParamInitializer.BETA, dBetaView);
        g.setGradientFor(BatchNormalizationParamInitializer.GLOBAL_MEAN, dMeanView);
        g.setGradientFor(BatchNormalizationParamInitializer.GLOBAL_LOG_STD, dLogStdView);
        return new Pair<>(g, dx);
    }
}
