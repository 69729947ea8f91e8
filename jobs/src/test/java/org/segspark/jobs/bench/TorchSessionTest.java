package org.segspark.jobs.bench;

import org.junit.jupiter.api.Assertions;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.segspark.models.bench.Timing;

import java.io.File;
import java.io.IOException;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The PyTorch peer kept alive between turns: bench/model_speed.py --serve with Debian's torch (.ci/run installs it). */
class TorchSessionTest {
    private static final String PYTHON = "/usr/bin/python3";
    private static final File SCRIPT = new File("../bench/model_speed.py");

    @BeforeAll
    static void torchIsInstalled() {
        String missing = TorchPeer.unavailable(PYTHON, SCRIPT);
        if (missing != null && System.getenv("CI") != null) {
            Assertions.fail(missing);
        }
        Assumptions.assumeTrue(missing == null, missing);
    }

    @Test
    void timesTrainingAndInferenceTurnAfterTurnOnOneModel() throws IOException {
        try (TorchSession s = TorchSession.open(PYTHON, SCRIPT, "mobilenet-v3-small", 32, 2, 1)) {
            Timing quick = Timing.ofSteps(1, 3);
            for (int turn = 0; turn < 2; turn++) {
                double train = s.stepSeconds("train", quick), infer = s.stepSeconds("infer", quick);
                assertTrue(train > 0 && train < 10, "train step " + train);
                assertTrue(infer > 0 && infer < train, "inference " + infer + " s against training " + train + " s");
            }
        }
    }

    @Test
    void aModelThePeerDoesNotHaveIsAnErrorWithItsReason() {
        IOException e = assertThrows(IOException.class, () -> TorchSession.open(PYTHON, SCRIPT, "no-such-model", 32, 2, 1));
        assertTrue(e.getMessage().contains("model_speed.py stopped") && e.getMessage().contains("no-such-model"), e.getMessage());
    }

    @Test
    void aPhaseThePeerDoesNotKnowStopsItWithItsReason() throws IOException {
        try (TorchSession s = TorchSession.open(PYTHON, SCRIPT, "mobilenet-v3-small", 32, 2, 1)) {
            IOException e = assertThrows(IOException.class, () -> s.stepSeconds("dance", Timing.ofSteps(0, 1)));
            assertTrue(e.getMessage().contains("stopped") && e.getMessage().contains("unknown phase 'dance'"), e.getMessage());
        }
    }
}
