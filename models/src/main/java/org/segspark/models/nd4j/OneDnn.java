package org.segspark.models.nd4j;

import java.util.function.Supplier;

/**
 * A switch around a defect of ND4J's native CPU build rather than a feature: libnd4j's oneDNN
 * path, turned off for the ops it computes wrongly.
 */
public final class OneDnn {
    private static final Object ONEDNN_SWITCH = new Object();

    private OneDnn() {
    }

    /**
     * Runs {@code op} with libnd4j's oneDNN path switched off: in nd4j-native 1.0.0-M2.1's onednn
     * build, dilated conv2d and depthwise_conv2d fail ("execution failed") while the generic
     * implementation computes them correctly. The switch is process-wide, so dilated ops take
     * turns; ops of other threads that start meanwhile just run on the generic path.
     */
    public static <T> T withoutOneDnn(Supplier<T> op) {
        Object env = cpuEnvironment();
        if (env == null) {
            return op.get();
        }
        synchronized (ONEDNN_SWITCH) {
            setUseOneDnn(env, false);
            try {
                return op.get();
            } finally {
                setUseOneDnn(env, true);
            }
        }
    }

    private static Object cpuEnvironment() {
        try {
            Class<?> c = Class.forName("org.nd4j.linalg.cpu.nativecpu.bindings.Nd4jCpu$Environment");
            Object env = c.getMethod("getInstance").invoke(null);
            return (Boolean) c.getMethod("isUseONEDNN").invoke(env) ? env : null;
        } catch (ReflectiveOperationException | LinkageError e) {
            return null;
        }
    }

    private static void setUseOneDnn(Object env, boolean on) {
        try {
            env.getClass().getMethod("setUseONEDNN", boolean.class).invoke(env, on);
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException("cannot switch libnd4j's oneDNN use", e);
        }
    }
}
