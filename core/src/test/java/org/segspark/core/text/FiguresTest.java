package org.segspark.core.text;

import org.junit.jupiter.api.Test;

import java.util.LinkedHashMap;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;

class FiguresTest {
    @Test
    void numbersAreShownWithAFewSignificantDigits() {
        assertEquals("0.001414", Figures.of(0.001 * Math.sqrt(2)));
        assertEquals("1.414", Figures.of(Math.sqrt(2)));
        assertEquals("0.001", Figures.of(0.001));
        assertEquals("883.3", Figures.of(883.30412));
        assertEquals("1.5e-05", Figures.of(1.5e-5));
        assertEquals("6.534e+06", Figures.of(6_534_211));
        assertEquals("0", Figures.of(0));
        assertEquals("NaN", Figures.of(Double.NaN));
    }

    @Test
    void scoresCountsAndDurations() {
        Map<String, Double> iou = new LinkedHashMap<>();
        iou.put("background", 0.93228311);
        iou.put("person", null);
        assertEquals("background 0.9323, person n/a", Figures.scores(iou));
        assertEquals("6,534,211", Figures.count(6_534_211));
        assertEquals("42 s", Figures.duration(41.6));
        assertEquals("3 min 05 s", Figures.duration(185));
        assertEquals("1 h 02 min", Figures.duration(3725));
    }
}
