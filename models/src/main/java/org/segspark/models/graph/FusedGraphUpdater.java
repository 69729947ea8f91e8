package org.segspark.models.graph;

import org.deeplearning4j.nn.api.Trainable;
import org.deeplearning4j.nn.conf.GradientNormalization;
import org.deeplearning4j.nn.gradient.Gradient;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.updater.UpdaterBlock;
import org.deeplearning4j.nn.updater.graph.ComputationGraphUpdater;
import org.deeplearning4j.nn.workspace.LayerWorkspaceMgr;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.indexing.NDArrayIndex;
import org.nd4j.linalg.learning.AdamUpdater;
import org.nd4j.linalg.learning.GradientUpdater;
import org.nd4j.linalg.learning.NoOpUpdater;
import org.nd4j.linalg.learning.config.Adam;
import org.nd4j.linalg.learning.regularization.L2Regularization;
import org.nd4j.linalg.learning.regularization.Regularization;
import org.nd4j.linalg.learning.regularization.WeightDecay;
import org.segspark.models.layers.DenseArrays;
import org.segspark.models.layers.KernelThreads;

import java.nio.FloatBuffer;
import java.util.ArrayList;
import java.util.List;

/**
 * DL4J's graph updater without its per-array overhead. DL4J updates block by block (a block is a
 * run of parameters with one updater configuration, and every batch norm's running statistics,
 * which take none, end one), and around each block it makes views of every parameter array for
 * regularisation whether any is configured or not. On MobileNetV2 (262 arrays in 105 blocks) that
 * took 26 ms of a 140 ms training step at 128x128, batch 4. Here a step is one pass over the
 * flattened arrays, split over the kernel threads: the division by the minibatch, L2 or weight
 * decay, and Adam, fused per element with DL4J's arithmetic and into DL4J's state layout, so saved
 * networks and DL4J's Spark workers read the state unchanged. Blocks with another updater or
 * regularisation run DL4J's own code, on views made once; gradient normalisation, pretraining
 * layers and non-float networks leave the whole step to DL4J.
 */
public final class FusedGraphUpdater extends ComputationGraphUpdater {
    private static final long serialVersionUID = 1L;
    /** Elements per piece of work: pieces are balanced between threads, and chunked through float[] scratch. */
    private static final int PIECE = 8192;
    private static final ThreadLocal<float[][]> SCRATCH = ThreadLocal.withInitial(() -> new float[4][PIECE]);

    private transient Plan plan;

    public FusedGraphUpdater(ComputationGraph graph, INDArray updaterState) {
        super(graph, updaterState);
    }

    /** Gives {@code net} this updater, over the optimiser state it already has. */
    public static ComputationGraph install(ComputationGraph net) {
        ComputationGraphUpdater current = net.getUpdater();
        if (!(current instanceof FusedGraphUpdater)) {
            net.setUpdater(new FusedGraphUpdater(net, current.getStateViewArray()));
        }
        return net;
    }

    @Override
    public synchronized void update(Gradient gradient, int iteration, int epoch, int batchSize,
                                    LayerWorkspaceMgr workspaceMgr) {
        INDArray grads = getFlattenedGradientsView();
        Plan p = sameElements(gradient.gradient(), grads) ? plan(getParams(), grads) : null;
        if (p == null) {
            super.update(gradient, iteration, epoch, batchSize, workspaceMgr);
            return;
        }
        p.run(iteration, epoch, isMiniBatch() ? batchSize : 1);
    }

    /** The plan for these arrays, made on first use and again when the network's arrays change; null if DL4J must do it. */
    private Plan plan(INDArray params, INDArray grads) {
        INDArray state = getStateViewArray();
        if (plan == null || plan.params != params || plan.grads != grads || plan.state != state) {
            plan = Plan.of(this, params, grads, state);
        }
        return plan.supported ? plan : null;
    }

    /** One parameter array: its place in the flattened arrays and in its block's state, and its treatment. */
    private record Variable(int start, int length, int stateOffset, boolean divide, List<L2Regularization> l2,
                            List<WeightDecay> decay, AdamBlock block) {
    }

    /** An Adam block: its configuration and its two state sections. */
    private record AdamBlock(Adam config, FloatBuffer m, FloatBuffer v) {
    }

    /** A block DL4J updates itself, on views made once. */
    private record OtherBlock(UpdaterBlock block, INDArray gradient, List<UpdaterBlock.ParamState> variables) {
    }

    /** A run of one variable's elements, the unit of work split between threads. */
    private record Piece(Variable variable, int from, int to) {
    }

    private static final class Plan {
        final INDArray params;
        final INDArray grads;
        final INDArray state;
        final boolean supported;
        final FloatBuffer p;
        final FloatBuffer g;
        final List<Piece> pieces = new ArrayList<>();
        final List<OtherBlock> others = new ArrayList<>();
        long elements;

        private Plan(INDArray params, INDArray grads, INDArray state, boolean supported) {
            this.params = params;
            this.grads = grads;
            this.state = state;
            this.supported = supported;
            this.p = supported ? DenseArrays.buffer(params) : null;
            this.g = supported ? DenseArrays.buffer(grads) : null;
        }

        static Plan of(FusedGraphUpdater u, INDArray params, INDArray grads, INDArray state) {
            boolean supported = DenseArrays.denseFloats(params) && DenseArrays.denseFloats(grads) && params.length() == grads.length();
            for (Trainable t : u.getOrderedLayers()) {
                GradientNormalization gn = t.getConfig().getGradientNormalization();
                supported &= gn == null || gn == GradientNormalization.None;
            }
            for (UpdaterBlock b : u.getUpdaterBlocks()) {
                supported &= !b.isPretrainUpdaterBlock();
            }
            Plan plan = new Plan(params, grads, state, supported);
            if (supported) {
                for (UpdaterBlock b : u.getUpdaterBlocks()) {
                    plan.add(b);
                }
            }
            return plan;
        }

        private void add(UpdaterBlock b) {
            if (b.getGradientUpdater() == null) {
                b.init();
            }
            GradientUpdater<?> gu = b.getGradientUpdater();
            AdamBlock adam = null;
            boolean fused = gu instanceof NoOpUpdater;
            if (gu instanceof AdamUpdater a && DenseArrays.denseFloats(a.getM()) && DenseArrays.denseFloats(a.getV())) {
                adam = new AdamBlock(a.getConfig(), DenseArrays.buffer(a.getM()), DenseArrays.buffer(a.getV()));
                fused = true;
            }
            List<Variable> vars = new ArrayList<>();
            for (UpdaterBlock.ParamState ps : b.getLayersAndVariablesInBlock()) {
                List<L2Regularization> l2 = new ArrayList<>();
                List<WeightDecay> decay = new ArrayList<>();
                List<Regularization> regs = ps.getLayer().getConfig().getRegularizationByParam(ps.getParamName());
                for (Regularization r : regs == null ? List.<Regularization>of() : regs) {
                    if (r instanceof L2Regularization l && adam != null) {
                        l2.add(l);
                    } else if (r instanceof WeightDecay w && adam != null) {
                        decay.add(w);
                    } else {
                        fused = false;
                    }
                }
                boolean divide = ps.getLayer().updaterDivideByMinibatch(ps.getParamName());
                vars.add(new Variable(ps.getParamOffsetStart(), ps.getParamOffsetEnd() - ps.getParamOffsetStart(),
                        ps.getParamOffsetStart() - b.getParamOffsetStart(), divide, l2, decay, adam));
            }
            for (Variable v : vars) {
                // a block DL4J updates still gets its division here, before DL4J's steps as in DL4J
                Variable w = fused ? v : new Variable(v.start(), v.length(), v.stateOffset(), v.divide(), List.of(), List.of(), null);
                if (!w.divide() && w.block() == null) {
                    continue;
                }
                for (int from = 0; from < w.length(); from += PIECE) {
                    pieces.add(new Piece(w, from, Math.min(w.length(), from + PIECE)));
                }
                elements += w.length();
            }
            if (!fused) {
                List<UpdaterBlock.ParamState> views = new ArrayList<>();
                for (UpdaterBlock.ParamState ps : b.getLayersAndVariablesInBlock()) {
                    views.add(new UpdaterBlock.ParamState(ps.getLayer(), ps.getParamName(), ps.getParamOffsetStart(),
                            ps.getParamOffsetEnd(), view(params, ps.getParamOffsetStart(), ps.getParamOffsetEnd()),
                            view(grads, ps.getParamOffsetStart(), ps.getParamOffsetEnd())));
                }
                others.add(new OtherBlock(b, view(grads, b.getParamOffsetStart(), b.getParamOffsetEnd()), views));
            }
        }

        void run(int iteration, int epoch, int batchSize) {
            Step step = new Step(iteration, epoch, batchSize);
            int threads = Math.max(1, Math.min(KernelThreads.get(), Runtime.getRuntime().availableProcessors()));
            int[] bounds = balance(threads);
            KernelThreads.split(threads, elements * 8, (from, to) -> {
                for (int t = from; t < to; t++) {
                    for (int i = bounds[t]; i < bounds[t + 1]; i++) {
                        step.piece(pieces.get(i));
                    }
                }
            });
            for (OtherBlock o : others) {
                step.other(o);
            }
        }

        /** Piece boundaries giving each of {@code parts} threads about the same number of elements. */
        private int[] balance(int parts) {
            int[] bounds = new int[parts + 1];
            long done = 0;
            int part = 1;
            for (int i = 0; i < pieces.size() && part < parts; i++) {
                Piece piece = pieces.get(i);
                done += piece.to() - piece.from();
                while (part < parts && done >= elements * part / parts) {
                    bounds[part++] = i + 1;
                }
            }
            while (part <= parts) {
                bounds[part++] = pieces.size();
            }
            return bounds;
        }

        /** One step's scalars and the element loops. */
        private final class Step {
            final int iteration;
            final int epoch;
            final float batch;

            Step(int iteration, int epoch, int batchSize) {
                this.iteration = iteration;
                this.epoch = epoch;
                this.batch = batchSize;
            }

            void piece(Piece piece) {
                Variable v = piece.variable();
                int len = piece.to() - piece.from();
                int at = v.start() + piece.from();
                float[][] s = SCRATCH.get();
                float[] gs = s[0];
                g.get(at, gs, 0, len);
                float b = v.divide() ? batch : 1f;
                AdamBlock a = v.block();
                if (a == null) {
                    for (int i = 0; i < len; i++) {
                        gs[i] = gs[i] / b;
                    }
                    g.put(at, gs, 0, len);
                    return;
                }
                float[] ms = s[1], vs = s[2], ps = s[3];
                int k = v.stateOffset() + piece.from();
                a.m().get(k, ms, 0, len);
                a.v().get(k, vs, 0, len);
                Adam c = a.config();
                double lr = c.getLearningRate(iteration, epoch);
                float beta1 = (float) c.getBeta1(), beta2 = (float) c.getBeta2(), eps = (float) c.getEpsilon();
                float oneMinusBeta1 = 1f - beta1, oneMinusBeta2 = 1f - beta2;
                double beta1t = Math.pow(beta1, iteration + 1), beta2t = Math.pow(beta2, iteration + 1);
                float alpha = (float) (lr * Math.sqrt(1 - beta2t) / (1 - beta1t));
                // DL4J applies each regularisation in turn (a layer can list one twice); their sum is the same step
                float l2 = 0f;
                for (L2Regularization r : v.l2()) {
                    l2 += (float) r.getL2().valueAt(iteration, epoch);
                }
                float decay = 0f;
                for (WeightDecay w : v.decay()) {
                    double d = w.getCoeff().valueAt(iteration, epoch);
                    decay += (float) (w.isApplyLR() ? d * lr : d);
                }
                if (l2 != 0f || decay != 0f) {
                    p.get(at, ps, 0, len);
                    for (int i = 0; i < len; i++) {
                        float gi = l2 * ps[i] + gs[i] / b;
                        float mi = beta1 * ms[i] + gi * oneMinusBeta1;
                        float vi = beta2 * vs[i] + gi * gi * oneMinusBeta2;
                        ms[i] = mi;
                        vs[i] = vi;
                        gs[i] = mi * alpha / ((float) Math.sqrt(vi) + eps) + decay * ps[i];
                    }
                } else {
                    for (int i = 0; i < len; i++) {
                        float gi = gs[i] / b;
                        float mi = beta1 * ms[i] + gi * oneMinusBeta1;
                        float vi = beta2 * vs[i] + gi * gi * oneMinusBeta2;
                        ms[i] = mi;
                        vs[i] = vi;
                        gs[i] = mi * alpha / ((float) Math.sqrt(vi) + eps);
                    }
                }
                g.put(at, gs, 0, len);
                a.m().put(k, ms, 0, len);
                a.v().put(k, vs, 0, len);
            }

            /** DL4J's own steps for a block: regularisation before, the updater, regularisation after. */
            void other(OtherBlock o) {
                GradientUpdater<?> gu = o.block().getGradientUpdater();
                double lr = gu.getConfig().hasLearningRate() ? gu.getConfig().getLearningRate(iteration, epoch) : 1.0;
                regularize(o, Regularization.ApplyStep.BEFORE_UPDATER, lr);
                gu.applyUpdater(o.gradient(), iteration, epoch);
                regularize(o, Regularization.ApplyStep.POST_UPDATER, lr);
            }

            private void regularize(OtherBlock o, Regularization.ApplyStep when, double lr) {
                for (UpdaterBlock.ParamState ps : o.variables()) {
                    List<Regularization> regs = ps.getLayer().getConfig().getRegularizationByParam(ps.getParamName());
                    for (Regularization r : regs == null ? List.<Regularization>of() : regs) {
                        if (r.applyStep() == when) {
                            r.apply(ps.getParamView(), ps.getGradView(), lr, iteration, epoch);
                        }
                    }
                }
            }
        }
    }

    /** Whether two arrays are the same elements (DL4J hands the flattened gradient over as a new view of it). */
    private static boolean sameElements(INDArray a, INDArray b) {
        return DenseArrays.denseFloats(a) && DenseArrays.denseFloats(b) && a.length() == b.length() && a.offset() == b.offset()
                && a.data().address() == b.data().address();
    }

    private static INDArray view(INDArray flat, int from, int to) {
        return flat.reshape(flat.length()).get(NDArrayIndex.interval(from, to));
    }
}
