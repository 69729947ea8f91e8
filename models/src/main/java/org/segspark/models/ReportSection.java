package org.segspark.models;

import java.util.List;

/**
 * A section a model contributes to the run report, as data: the report draws the charts and
 * writes the tables (escaped) the way it draws its own.
 *
 * @param title  the section's heading
 * @param intro  a paragraph under it
 * @param charts line charts, each also written as a PNG figure named {@code file}
 * @param tables tables after the charts
 */
public record ReportSection(String title, String intro, List<Chart> charts, List<Table> tables) {

    /** A line chart over {@code x}, one line per series; {@code height} in pixels (900 wide). */
    public record Chart(String file, String title, String xLabel, double[] x, List<Series> series, int height) {
    }

    public record Series(String name, double[] y) {
    }

    /**
     * @param intro        a paragraph before the table, or null
     * @param columns      the header
     * @param rows         the cells, as text
     * @param labelColumn  whether the first column holds names (left-aligned) rather than figures
     */
    public record Table(String intro, List<String> columns, List<List<String>> rows, boolean labelColumn) {
    }
}
