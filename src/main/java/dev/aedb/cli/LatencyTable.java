package dev.aedb.cli;

import org.HdrHistogram.Histogram;

import java.util.List;
import java.util.Locale;

/**
 * The latency table {@code aedb bench} prints: one column per series, one row per percentile (µs, from histograms
 * of nanoseconds), optionally followed by count and throughput rows.
 */
final class LatencyTable
{
    /** Percentile rows: label and percentile (100 = the maximum). */
    static final String[] ROW_LABELS = {"p50", "p90", "p99", "p99.9", "p99.99", "max"};
    private static final double[] ROW_PERCENTILES = {50, 90, 99, 99.9, 99.99, 100};

    private LatencyTable()
    {
    }

    /**
     * @param seconds the measured window; with {@code throughput} the table ends with {@code count} and
     *                {@code ops/s} rows.
     */
    static String format(final String heading, final List<String> columns, final List<Histogram> histograms, final boolean throughput,
        final double seconds)
    {
        final String[][] cells = new String[ROW_LABELS.length + 2][columns.size()];
        for (int c = 0; c < columns.size(); c++)
        {
            final Histogram h = histograms.get(c);
            for (int r = 0; r < ROW_LABELS.length; r++)
            {
                if (h.getTotalCount() == 0)
                {
                    cells[r][c] = "-";
                    continue;
                }
                final long nanos = ROW_PERCENTILES[r] >= 100 ? h.getMaxValue() : h.getValueAtPercentile(ROW_PERCENTILES[r]);
                cells[r][c] = String.format(Locale.ROOT, "%.1f", nanos / 1000.0);
            }
            cells[ROW_LABELS.length][c] = String.format(Locale.ROOT, "%,d", h.getTotalCount());
            cells[ROW_LABELS.length + 1][c] = String.format(Locale.ROOT, "%,.0f", h.getTotalCount() / seconds);
        }
        final int rows = ROW_LABELS.length + (throughput ? 2 : 0);
        final String[] labels = new String[rows];
        System.arraycopy(ROW_LABELS, 0, labels, 0, ROW_LABELS.length);
        if (throughput)
        {
            labels[ROW_LABELS.length] = "count";
            labels[ROW_LABELS.length + 1] = "ops/s";
        }
        int labelWidth = 0;
        for (final String l : labels)
        {
            labelWidth = Math.max(labelWidth, l.length());
        }
        final int[] widths = new int[columns.size()];
        for (int c = 0; c < columns.size(); c++)
        {
            widths[c] = columns.get(c).length();
            for (int r = 0; r < rows; r++)
            {
                widths[c] = Math.max(widths[c], cells[r][c].length());
            }
        }
        final StringBuilder sb = new StringBuilder();
        sb.append(heading).append('\n');
        sb.append(pad("", labelWidth, false));
        for (int c = 0; c < columns.size(); c++)
        {
            sb.append("   ").append(pad(columns.get(c), widths[c], true));
        }
        sb.append('\n');
        for (int r = 0; r < rows; r++)
        {
            sb.append(pad(labels[r], labelWidth, false));
            for (int c = 0; c < columns.size(); c++)
            {
                sb.append("   ").append(pad(cells[r][c], widths[c], true));
            }
            sb.append('\n');
        }
        return sb.toString();
    }

    private static String pad(final String s, final int width, final boolean right)
    {
        final String fill = " ".repeat(Math.max(0, width - s.length()));
        return right ? fill + s : s + fill;
    }
}
