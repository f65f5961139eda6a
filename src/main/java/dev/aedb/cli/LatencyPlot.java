package dev.aedb.cli;

import org.HdrHistogram.Histogram;
import org.HdrHistogram.HistogramIterationValue;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Draws latency-by-percentile curves as a self-contained SVG, in the manner of the HdrHistogram plotter: the x axis
 * is {@code log10(1 / (1 - percentile))}, labelled 0%, 90%, 99%, 99.9%, ...; the y axis is latency in microseconds
 * on a log scale (gets and commits differ by orders of magnitude). Histograms hold nanoseconds.
 */
final class LatencyPlot
{
    /** One curve. */
    record Series(String label, String color, boolean dashed, Histogram histogram)
    {
    }

    private static final int WIDTH = 1000;
    private static final int LEFT = 90;
    private static final int RIGHT = 40;
    private static final int TOP = 78;
    /** Bottom edge of the plot area; the axis title and the legend table go below it. */
    private static final int PLOT_BOTTOM = 528;
    private static final int LEGEND_TOP = 592;
    private static final int LEGEND_ROW = 19;
    /** Right edges of the legend table's number columns, and their headings. */
    private static final int[] LEGEND_COLUMNS = {560, 660, 760, 860, 960};
    private static final String[] LEGEND_HEADINGS = {"p50 (\u00b5s)", "p99 (\u00b5s)", "p99.9 (\u00b5s)", "max (\u00b5s)", "count"};
    /** The x axis always reaches 99.999%. */
    private static final int MIN_DECADES = 5;

    private LatencyPlot()
    {
    }

    /** @return the SVG document. */
    static String render(final String title, final String subtitle, final List<Series> series)
    {
        long maxCount = 0;
        double lo = Double.MAX_VALUE;
        double hi = 0;
        for (final Series s : series)
        {
            final Histogram h = s.histogram();
            if (h.getTotalCount() == 0)
            {
                continue;
            }
            maxCount = Math.max(maxCount, h.getTotalCount());
            lo = Math.min(lo, Math.max(h.getMinValue(), 1) / 1000.0);
            hi = Math.max(hi, h.getMaxValue() / 1000.0);
        }
        if (hi == 0)
        {
            lo = 1;
            hi = 10;
        }
        final int decades = Math.max(MIN_DECADES, (int)Math.ceil(Math.log10(Math.max(1, maxCount))));
        final int yLoExp = (int)Math.floor(Math.log10(lo));
        int yHiExp = (int)Math.ceil(Math.log10(hi));
        if (yHiExp <= yLoExp)
        {
            yHiExp = yLoExp + 1;
        }
        final Frame f = new Frame(decades, yLoExp, yHiExp);
        final int height = LEGEND_TOP + LEGEND_ROW * series.size() + 16;

        final StringBuilder svg = new StringBuilder(64 * 1024);
        svg.append("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
        svg.append("<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"").append(WIDTH).append("\" height=\"").append(height)
            .append("\" viewBox=\"0 0 ").append(WIDTH).append(' ').append(height)
            .append("\" font-family=\"DejaVu Sans, Helvetica, Arial, sans-serif\">\n");
        svg.append("<title>").append(escape(title)).append("</title>\n");
        svg.append("<rect x=\"0\" y=\"0\" width=\"").append(WIDTH).append("\" height=\"").append(height).append("\" fill=\"#ffffff\"/>\n");
        text(svg, WIDTH / 2.0, 30, "middle", 19, "bold", "#222222", title);
        text(svg, WIDTH / 2.0, 54, "middle", 13, "normal", "#444444", subtitle);

        // grid and axes
        svg.append("<g class=\"grid\" stroke-width=\"1\">\n");
        for (int e = yLoExp; e <= yHiExp; e++)
        {
            final double y = f.y(Math.pow(10, e));
            line(svg, LEFT, y, WIDTH - RIGHT, y, "#c8c8c8", null, 1);
            text(svg, LEFT - 8, y + 4, "end", 12, "normal", "#333333", formatMicros(Math.pow(10, e)));
            if (e < yHiExp)
            {
                for (final int m : new int[] {2, 5})
                {
                    final double ym = f.y(m * Math.pow(10, e));
                    line(svg, LEFT, ym, WIDTH - RIGHT, ym, "#ececec", null, 1);
                    if (yHiExp - yLoExp <= 2)
                    {
                        text(svg, LEFT - 8, ym + 4, "end", 11, "normal", "#777777", formatMicros(m * Math.pow(10, e)));
                    }
                }
            }
        }
        for (int d = 0; d <= decades; d++)
        {
            final double x = f.x(d);
            line(svg, x, TOP, x, PLOT_BOTTOM, "#c8c8c8", null, 1);
            text(svg, x, PLOT_BOTTOM + 18, "middle", 12, "normal", "#333333", percentileLabel(d));
        }
        svg.append("</g>\n");
        svg.append("<rect x=\"").append(LEFT).append("\" y=\"").append(TOP).append("\" width=\"").append(WIDTH - LEFT - RIGHT)
            .append("\" height=\"").append(PLOT_BOTTOM - TOP).append("\" fill=\"none\" stroke=\"#555555\" stroke-width=\"1\"/>\n");
        text(svg, LEFT + (WIDTH - LEFT - RIGHT) / 2.0, PLOT_BOTTOM + 40, "middle", 13, "normal", "#222222", "percentile");
        svg.append("<text x=\"22\" y=\"").append(fmt(TOP + (PLOT_BOTTOM - TOP) / 2.0))
            .append("\" text-anchor=\"middle\" font-size=\"13\" fill=\"#222222\" transform=\"rotate(-90 22 ")
            .append(fmt(TOP + (PLOT_BOTTOM - TOP) / 2.0)).append(")\">latency (\u00b5s, log scale)</text>\n");

        // curves
        svg.append("<g class=\"curves\" fill=\"none\" stroke-width=\"2\" stroke-linejoin=\"round\">\n");
        for (final Series s : series)
        {
            final List<double[]> points = points(s.histogram(), decades);
            if (points.isEmpty())
            {
                continue;
            }
            svg.append("<polyline class=\"series\" data-series=\"").append(escape(s.label())).append("\" stroke=\"")
                .append(s.color()).append('"');
            if (s.dashed())
            {
                svg.append(" stroke-dasharray=\"7 5\"");
            }
            svg.append(" points=\"");
            for (final double[] p : points)
            {
                svg.append(fmt(f.x(p[0]))).append(',').append(fmt(f.y(p[1]))).append(' ');
            }
            svg.setLength(svg.length() - 1);
            svg.append("\"/>\n");
        }
        svg.append("</g>\n");

        // legend: a small table under the plot, one row per curve
        svg.append("<g class=\"legend\">\n");
        for (int c = 0; c < LEGEND_COLUMNS.length; c++)
        {
            text(svg, LEGEND_COLUMNS[c], LEGEND_TOP, "end", 12, "bold", "#444444", LEGEND_HEADINGS[c]);
        }
        for (int i = 0; i < series.size(); i++)
        {
            final Series s = series.get(i);
            final double y = LEGEND_TOP + (i + 1) * LEGEND_ROW;
            line(svg, LEFT, y - 4, LEFT + 34, y - 4, s.color(), s.dashed() ? "7 5" : null, 2);
            text(svg, LEFT + 44, y, "start", 12, "normal", "#222222", s.label());
            final Histogram h = s.histogram();
            final String[] cells = h.getTotalCount() == 0 ? new String[] {"-", "-", "-", "-", "0"} : new String[] {
                formatMicros(h.getValueAtPercentile(50) / 1000.0), formatMicros(h.getValueAtPercentile(99) / 1000.0),
                formatMicros(h.getValueAtPercentile(99.9) / 1000.0), formatMicros(h.getMaxValue() / 1000.0),
                String.format(Locale.ROOT, "%,d", h.getTotalCount())};
            for (int c = 0; c < cells.length; c++)
            {
                text(svg, LEGEND_COLUMNS[c], y, "end", 12, "normal", "#222222", cells[c]);
            }
        }
        svg.append("</g>\n");
        svg.append("</svg>\n");
        return svg.toString();
    }

    /**
     * @return (x in decades, latency in µs) points of the histogram's percentile distribution: the HdrHistogram
     *         percentile iteration (5 steps per halving of the distance to 100%), then the maximum at the last
     *         percentile the sample count resolves ({@code 1 - 1/n}), all capped at {@code decades}.
     */
    static List<double[]> points(final Histogram h, final int decades)
    {
        final List<double[]> out = new ArrayList<>();
        final long n = h.getTotalCount();
        if (n == 0)
        {
            return out;
        }
        final double lastX = Math.min(decades, Math.log10(n));
        for (final HistogramIterationValue v : h.percentiles(5))
        {
            final double p = v.getPercentileLevelIteratedTo();
            if (p >= 100.0)
            {
                break;
            }
            final double x = Math.log10(100.0 / (100.0 - p));
            if (x >= lastX)
            {
                break;
            }
            add(out, x, h.highestEquivalentValue(v.getValueIteratedTo()) / 1000.0);
        }
        add(out, lastX, h.getMaxValue() / 1000.0);
        return out;
    }

    private static void add(final List<double[]> out, final double x, final double micros)
    {
        if (!out.isEmpty() && out.get(out.size() - 1)[0] == x)
        {
            out.get(out.size() - 1)[1] = micros;
        }
        else
        {
            out.add(new double[] {x, micros});
        }
    }

    /** @return "0%", "90%", "99%", "99.9%", ... for {@code d} decades. */
    static String percentileLabel(final int d)
    {
        if (d == 0)
        {
            return "0%";
        }
        if (d == 1)
        {
            return "90%";
        }
        return "99." + "9".repeat(d - 2) + "%";
    }

    /** @return microseconds for an axis or legend: up to 3 significant digits, thousands grouped. */
    static String formatMicros(final double micros)
    {
        if (micros >= 100)
        {
            return String.format(Locale.ROOT, "%,.0f", micros);
        }
        if (micros >= 10)
        {
            return trim(String.format(Locale.ROOT, "%.1f", micros));
        }
        if (micros >= 1)
        {
            return trim(String.format(Locale.ROOT, "%.2f", micros));
        }
        return trim(String.format(Locale.ROOT, "%.3f", micros));
    }

    private static String trim(final String s)
    {
        String t = s;
        if (t.indexOf('.') >= 0)
        {
            while (t.endsWith("0"))
            {
                t = t.substring(0, t.length() - 1);
            }
            if (t.endsWith("."))
            {
                t = t.substring(0, t.length() - 1);
            }
        }
        return t;
    }

    private static void line(final StringBuilder svg, final double x1, final double y1, final double x2, final double y2, final String color,
        final String dash, final int width)
    {
        svg.append("<line x1=\"").append(fmt(x1)).append("\" y1=\"").append(fmt(y1)).append("\" x2=\"").append(fmt(x2))
            .append("\" y2=\"").append(fmt(y2)).append("\" stroke=\"").append(color).append('"');
        if (dash != null)
        {
            svg.append(" stroke-dasharray=\"").append(dash).append('"');
        }
        svg.append(" stroke-width=\"").append(width).append("\"/>\n");
    }

    private static void text(final StringBuilder svg, final double x, final double y, final String anchor, final int size,
        final String weight, final String color, final String content)
    {
        svg.append("<text x=\"").append(fmt(x)).append("\" y=\"").append(fmt(y)).append("\" text-anchor=\"").append(anchor)
            .append("\" font-size=\"").append(size).append('"');
        if (!"normal".equals(weight))
        {
            svg.append(" font-weight=\"").append(weight).append('"');
        }
        svg.append(" fill=\"").append(color).append("\">").append(escape(content)).append("</text>\n");
    }

    private static String fmt(final double v)
    {
        return String.format(Locale.ROOT, "%.1f", v);
    }

    static String escape(final String s)
    {
        final StringBuilder sb = new StringBuilder(s.length());
        for (int i = 0; i < s.length(); i++)
        {
            final char c = s.charAt(i);
            switch (c)
            {
                case '&' -> sb.append("&amp;");
                case '<' -> sb.append("&lt;");
                case '>' -> sb.append("&gt;");
                case '"' -> sb.append("&quot;");
                case '\'' -> sb.append("&apos;");
                default ->
                {
                    if (c < 0x20 && c != '\t' && c != '\n' && c != '\r')
                    {
                        sb.append(' ');
                    }
                    else
                    {
                        sb.append(c);
                    }
                }
            }
        }
        return sb.toString();
    }

    /** Maps data to pixels. */
    private record Frame(int decades, int yLoExp, int yHiExp)
    {
        double x(final double decade)
        {
            return LEFT + decade / decades * (WIDTH - LEFT - RIGHT);
        }

        double y(final double micros)
        {
            final double e = Math.log10(Math.max(micros, Math.pow(10, yLoExp)));
            return PLOT_BOTTOM - (e - yLoExp) / (yHiExp - yLoExp) * (PLOT_BOTTOM - TOP);
        }
    }
}
