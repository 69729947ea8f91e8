package org.segspark.models.layers;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class OpenBlasCoreTest {
    private static final String ZEN5 = "processor\t: 0\nvendor_id\t: AuthenticAMD\ncpu family\t: 26\n"
            + "flags\t\t: fpu sse avx2 fma avx512f avx512dq avx512ifma avx512cd avx512bw avx512vl avx512_bf16\n";

    @Test
    void anAmdCpuWithAvx512RunningOtherKernelsIsFound() {
        assertTrue(NativeSpeed.avx512Unused(ZEN5, "auto"));
        assertTrue(NativeSpeed.avx512Unused(ZEN5, "Haswell"));
        assertFalse(NativeSpeed.avx512Unused(ZEN5, "SkylakeX"), "the kernels the launcher asks for");
        assertFalse(NativeSpeed.avx512Unused(ZEN5, "cooperlake"), "AVX-512 with bf16 products");
    }

    @Test
    void otherCpusAreLeftAsOpenBlasFindsThem() {
        // Intel's AVX-512 cores are recognised by OpenBLAS itself
        assertFalse(NativeSpeed.avx512Unused(ZEN5.replace("AuthenticAMD", "GenuineIntel"), "auto"));
        // Zen 3 and older have no AVX-512: AVX2 is all they run
        assertFalse(NativeSpeed.avx512Unused(ZEN5.replace(" avx512bw", ""), "auto"));
        assertFalse(NativeSpeed.avx512Unused("", "auto"));
    }

    @Test
    void theBackendNamesTheKernelsOpenBlasWasAskedFor() {
        String core = NativeSpeed.openBlasCore();
        String set = System.getenv("OPENBLAS_CORETYPE");
        assertTrue(core.equals(set == null || set.isBlank() ? "auto" : set.strip()), core);
        assertTrue(NativeSpeed.describe().contains(" openblas_core=" + core + " "), NativeSpeed.describe());
    }
}
