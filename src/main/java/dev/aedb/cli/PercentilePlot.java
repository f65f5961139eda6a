package dev.aedb.cli;

import org.HdrHistogram.Histogram;
import org.HdrHistogram.HistogramIterationValue;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * A self-contained SVG percentile-distribution plot, in the style of HdrHistogram's plotter: x is the percentile on
 * the log scale {@code 1/(1-p)} (0%, 90%, 99%, 99.9%, ...), y the latency in microseconds on a log scale. One solid
 * line per operation (latency as measured, corrected when a rate was set) and, when given, a dashed line of the same
 * colour for its service time.
 */
final class PercentilePlot
{
    private static final String[] COLOURS = {"#d62728", "#1f77b4", "#2ca02c", "#9467bd", "#ff7f0e"};
    private static final int WIDTH = 960;
    private static final int HEIGHT = 600;
    private static final int LEFT = 80;
    private static final int RIGHT = 190;
    private static final int TOP = 70;
    private static final int BOTTOM = 60;
    private static final double MAX_X = 5; // 99.999%

    private PercentilePlot()
    {
    }

    /**
     * @param latency  per op (index matches {@link BenchCommand#OPS}); empty histograms are skipped.
     * @param service  per op service time, or null.
     */
    static String svg(final String title, final Histogram[] latency, final Histogram[] service)
    {
        double maxMicros = 1;
        double minMicros = Double.MAX_VALUE;
        for (final Histogram[] set : new Histogram[][] {latency, service})
        {
            if (set == null)
            {
                continue;
            }
            for (final Histogram h : set)
            {
                if (h != null && h.getTotalCount() > 0)
                {
                    maxMicros = Math.max(maxMicros, h.getMaxValue() / 1000.0);
                    minMicros = Math.min(minMicros, Math.max(0.1, h.getMinValue() / 1000.0));
                }
            }
        }
        if (minMicros == Double.MAX_VALUE)
        {
            minMicros = 0.1;
        }
        final double yLow = Math.floor(Math.log10(minMicros));
        final double yHigh = Math.max(yLow + 1, Math.ceil(Math.log10(maxMicros)));
        final StringBuilder b = new StringBuilder(16_384);
        b.append("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
        b.append(String.format(Locale.ROOT, "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\" viewBox=\"0 0 %d %d\" "
            + "font-family=\"sans-serif\" font-size=\"12\">\n", WIDTH, HEIGHT, WIDTH, HEIGHT));
        b.append("<rect width=\"100%\" height=\"100%\" fill=\"white\"/>\n");
        b.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"24\" font-size=\"15\" font-weight=\"bold\">%s</text>\n", LEFT,
            escape("Latency by percentile")));
        int line = 0;
        for (final String part : wrap(title, 140))
        {
            b.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"%d\" font-size=\"10\" fill=\"#444\">%s</text>\n", LEFT, 38 + 12 * line++,
                escape(part)));
        }
        final int plotW = WIDTH - LEFT - RIGHT;
        final int plotH = HEIGHT - TOP - BOTTOM;
        // grid and axes
        final String[] xLabels = {"0%", "90%", "99%", "99.9%", "99.99%", "99.999%"};
        for (int i = 0; i <= MAX_X; i++)
        {
            final double x = LEFT + plotW * i / MAX_X;
            b.append(String.format(Locale.ROOT, "<line x1=\"%.1f\" y1=\"%d\" x2=\"%.1f\" y2=\"%d\" stroke=\"#ddd\"/>\n", x, TOP, x, TOP + plotH));
            b.append(String.format(Locale.ROOT, "<text x=\"%.1f\" y=\"%d\" text-anchor=\"middle\">%s</text>\n", x, TOP + plotH + 18, xLabels[i]));
        }
        for (int e = (int)yLow; e <= (int)yHigh; e++)
        {
            final double y = yOf(Math.pow(10, e), yLow, yHigh, plotH);
            b.append(String.format(Locale.ROOT, "<line x1=\"%d\" y1=\"%.1f\" x2=\"%d\" y2=\"%.1f\" stroke=\"#ddd\"/>\n", LEFT, y, LEFT + plotW, y));
            b.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"%.1f\" text-anchor=\"end\">%s</text>\n", LEFT - 6, y + 4, micros(Math.pow(10, e))));
        }
        b.append(String.format(Locale.ROOT, "<rect x=\"%d\" y=\"%d\" width=\"%d\" height=\"%d\" fill=\"none\" stroke=\"#333\"/>\n", LEFT, TOP, plotW, plotH));
        b.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"%d\" text-anchor=\"middle\">percentile</text>\n", LEFT + plotW / 2, HEIGHT - 14));
        b.append(String.format(Locale.ROOT, "<text x=\"18\" y=\"%d\" text-anchor=\"middle\" transform=\"rotate(-90 18 %d)\">latency (us, log scale)</text>\n",
            TOP + plotH / 2, TOP + plotH / 2));
        // series
        int legendY = TOP + 10;
        for (int i = 0; i < latency.length; i++)
        {
            final String colour = COLOURS[i % COLOURS.length];
            if (latency[i] != null && latency[i].getTotalCount() > 0)
            {
                series(b, latency[i], colour, false, yLow, yHigh, plotW, plotH);
                legend(b, legendY, colour, false, BenchCommand.OPS[i] + " (n=" + latency[i].getTotalCount() + ")");
                legendY += 20;
            }
            if (service != null && service[i] != null && service[i].getTotalCount() > 0)
            {
                series(b, service[i], colour, true, yLow, yHigh, plotW, plotH);
                legend(b, legendY, colour, true, BenchCommand.OPS[i] + " service time");
                legendY += 20;
            }
        }
        b.append("</svg>\n");
        return b.toString();
    }

    private static void series(final StringBuilder b, final Histogram h, final String colour, final boolean dashed, final double yLow,
        final double yHigh, final int plotW, final int plotH)
    {
        final List<double[]> points = new ArrayList<>();
        for (final HistogramIterationValue v : h.percentiles(5))
        {
            final double p = v.getPercentileLevelIteratedTo() / 100.0;
            final double x = p >= 1 ? MAX_X : Math.min(MAX_X, Math.log10(1 / (1 - p)));
            points.add(new double[] {x, v.getValueIteratedTo() / 1000.0});
            if (p >= 1 || x >= MAX_X)
            {
                break;
            }
        }
        b.append(String.format("<polyline fill=\"none\" stroke=\"%s\" stroke-width=\"2\"%s points=\"", colour,
            dashed ? " stroke-dasharray=\"6 4\"" : ""));
        for (final double[] pt : points)
        {
            b.append(String.format(Locale.ROOT, "%.1f,%.1f ", LEFT + plotW * pt[0] / MAX_X, yOf(Math.max(pt[1], 1e-3), yLow, yHigh, plotH)));
        }
        b.append("\"/>\n");
    }

    private static void legend(final StringBuilder b, final int y, final String colour, final boolean dashed, final String label)
    {
        final int x = WIDTH - RIGHT + 14;
        b.append(String.format(Locale.ROOT, "<line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\" stroke=\"%s\" stroke-width=\"2\"%s/>\n", x, y, x + 26,
            y, colour, dashed ? " stroke-dasharray=\"6 4\"" : ""));
        b.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"%d\">%s</text>\n", x + 32, y + 4, escape(label)));
    }

    private static double yOf(final double micros, final double yLow, final double yHigh, final int plotH)
    {
        final double f = (Math.log10(Math.max(micros, Math.pow(10, yLow))) - yLow) / (yHigh - yLow);
        return TOP + plotH * (1 - Math.min(1, f));
    }

    private static String micros(final double v)
    {
        if (v >= 1_000_000)
        {
            return String.format(Locale.ROOT, "%.0f s", v / 1_000_000);
        }
        if (v >= 1_000)
        {
            return String.format(Locale.ROOT, "%.0f ms", v / 1_000);
        }
        return v >= 1 ? String.format(Locale.ROOT, "%.0f us", v) : String.format(Locale.ROOT, "%.1f us", v);
    }

    private static List<String> wrap(final String text, final int width)
    {
        final List<String> lines = new ArrayList<>();
        final StringBuilder current = new StringBuilder();
        for (final String word : text.split(" "))
        {
            if (current.length() > 0 && current.length() + 1 + word.length() > width)
            {
                lines.add(current.toString());
                current.setLength(0);
            }
            if (current.length() > 0)
            {
                current.append(' ');
            }
            current.append(word);
        }
        lines.add(current.toString());
        return lines.subList(0, Math.min(2, lines.size()));
    }

    private static String escape(final String s)
    {
        return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\"", "&quot;");
    }
}
