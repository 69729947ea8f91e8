package org.nd4j.nativeblas;

import java.lang.reflect.Method;

/**
 * Compatibility shim, on purpose in ND4J's package: DL4J 1.0.0-M2.1's oneDNN layer helpers decide
 * whether oneDNN is available by reflecting on {@code org.nd4j.nativeblas.Nd4jCpu$Environment#isUseMKLDNN},
 * a class ND4J has since renamed to {@code org.nd4j.linalg.cpu.nativecpu.bindings.Nd4jCpu$Environment#isUseONEDNN}.
 * Without this class the helpers silently stay off and every convolution, batch norm and pooling
 * layer runs DL4J's slow Java path. It forwards by reflection so the models module still builds
 * and runs against the CUDA backend, where the question is never asked.
 */
public final class Nd4jCpu {
    private Nd4jCpu() {
    }

    /** Answers the helpers' one question by asking the renamed native environment. */
    public static final class Environment {
        private static final Environment INSTANCE = new Environment();
        private final Object nativeEnvironment;
        private final Method isUseOneDnn;

        /** A fresh handle; DL4J uses {@link #getInstance()}. */
        public Environment() {
            Object env = null;
            Method m = null;
            try {
                Class<?> c = Class.forName("org.nd4j.linalg.cpu.nativecpu.bindings.Nd4jCpu$Environment");
                env = c.getMethod("getInstance").invoke(null);
                m = c.getMethod("isUseONEDNN");
            } catch (ReflectiveOperationException | LinkageError e) {
                // not the CPU backend: oneDNN is not in use
            }
            this.nativeEnvironment = env;
            this.isUseOneDnn = m;
        }

        public static Environment getInstance() {
            return INSTANCE;
        }

        public boolean isUseMKLDNN() {
            if (isUseOneDnn == null) {
                return false;
            }
            try {
                return (Boolean) isUseOneDnn.invoke(nativeEnvironment);
            } catch (ReflectiveOperationException e) {
                return false;
            }
        }
    }
}
