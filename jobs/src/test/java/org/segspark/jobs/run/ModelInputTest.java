package org.segspark.jobs.run;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ModelInputTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    static JsonNode info(int channels, String mean, String std) throws Exception {
        return JSON.readTree("{\"task\": \"classification\", \"input\": [" + channels + ", 32, 32], \"classes\": [\"a\", "
                + "\"b\"], \"normalization\": {\"mode\": \"dataset\", \"mean\": " + mean + ", \"std\": " + std + "}}");
    }

    @Test
    void aGreyModelTakesEachPixelsLumaAndItsOwnStatistics() throws Exception {
        ModelInput grey = ModelInput.of(info(1, "[72.9]", "[90.0]"), "auto", "run");
        assertEquals(1, grey.channels());
        assertArrayEquals(new float[] {72.9f}, grey.normalizer().mean());
        byte[] rgb = {(byte) 255, 0, 0, 0, (byte) 255, 0, 0, 0, (byte) 255, 10, 10, 10, (byte) 200, (byte) 200, (byte) 200};
        // BT.601: 0.299 R + 0.587 G + 0.114 B, rounded; equal channels give their value back
        assertArrayEquals(new byte[] {76, (byte) 150, 29, 10, (byte) 200}, grey.pixels(rgb));

        ModelInput colour = ModelInput.of(info(3, "[1, 2, 3]", "[4, 5, 6]"), "auto", "run");
        assertEquals(3, colour.channels());
        assertSame(rgb, colour.pixels(rgb));
    }

    @Test
    void inputOfAnotherChannelCountIsAClearError() throws Exception {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> ModelInput.of(info(4, "[0, 0, 0, 0]", "[1, 1, 1, 1]"), "auto", "some-run"));
        assertTrue(e.getMessage().contains("some-run/model.json") && e.getMessage().contains("4 channels"), e.getMessage());
    }
}
