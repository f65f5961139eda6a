package dev.aedb.cli;

import org.HdrHistogram.EncodableHistogram;
import org.HdrHistogram.HistogramLogReader;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.NodeList;

import picocli.CommandLine;

import java.io.File;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.xml.XMLConstants;
import javax.xml.parsers.DocumentBuilderFactory;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Smoke test of {@code aedb bench}: a tiny workload runs end to end in-process, closed loop and at a target rate;
 * the table has every percentile row, the .hlog reads back with counts for every op of the mix, the SVG parses as XML
 * with one polyline per series; bad options fail with a message. No timing is asserted.
 */
class BenchCommandTest
{
    private static final String[] PERCENTILE_ROWS = {"p50", "p90", "p99", "p99.9", "p99.99", "max"};

    @TempDir
    Path dir;

    private record Run(int exitCode, String out, String err)
    {
    }

    private static Run bench(final String... args)
    {
        final StringWriter out = new StringWriter();
        final StringWriter err = new StringWriter();
        final CommandLine cli = new CommandLine(new Main());
        cli.setOut(new PrintWriter(out, true));
        cli.setErr(new PrintWriter(err, true));
        final String[] full = new String[args.length + 1];
        full[0] = "bench";
        System.arraycopy(args, 0, full, 1, args.length);
        final int code = cli.execute(full);
        return new Run(code, out.toString(), err.toString());
    }

    @Test
    void closedLoopRunsEndToEnd() throws Exception
    {
        final Path hlog = dir.resolve("closed.hlog");
        final Path svg = dir.resolve("closed.svg");
        final Run run = bench("--keys", "1000", "--duration", "1", "--warmup", "0", "--threads", "2", "--scan-length", "10",
            "--mix", "commit=20,get=70,scan=10", "--data-dir", dir.resolve("data").toString(), "--hlog", hlog.toString(),
            "--svg", svg.toString(), "--insert-order", "sequential");
        System.out.println(run.out);
        assertEquals(0, run.exitCode, run.out + run.err);
        assertTrue(run.out.contains("closed loop"), run.out);
        assertTrue(run.out.contains("loaded in key order"), run.out);
        assertPercentileRows(run.out, 1);
        assertTrue(run.out.contains("durable seq"), run.out);
        assertTrue(run.err.contains("measure 1/1 s"), "progress line missing: " + run.err);

        final Map<String, Long> counts = hlogCounts(hlog);
        assertEquals(Set.of("commit", "get", "scan"), counts.keySet(), counts.toString());
        counts.forEach((tag, count) -> assertTrue(count > 0, tag + " has no samples: " + counts));

        assertEquals(List.of("commit", "get", "scan"), seriesOf(svg));
        assertTrue(Files.exists(dir.resolve("data")), "a --data-dir is kept");
    }

    @Test
    void openLoopRunsEndToEndWithCorrectedAndServiceTime() throws Exception
    {
        final Path out = dir.resolve("out");
        final Run run = bench("--keys", "1000", "--duration", "1", "--warmup", "0", "--threads", "2", "--rate", "2000",
            "--durability", "OS_BUFFERED", "--mix", "commit=30,get=50,scan=20", "--scan-length", "10", "--commit-kind", "insert",
            "--out-dir", out.toString());
        System.out.println(run.out);
        assertEquals(0, run.exitCode, run.out + run.err);
        assertTrue(run.out.contains("open loop"), run.out);
        assertTrue(run.out.contains("loaded in random order (--seed 1)"), run.out);
        assertPercentileRows(run.out, 2);
        assertTrue(run.out.contains("target 2,000 ops/s"), run.out);

        final Map<String, Long> counts = hlogCounts(out.resolve("aedb-bench.hlog"));
        assertEquals(Set.of("commit", "get", "scan", "commit.service", "get.service", "scan.service"), counts.keySet(),
            counts.toString());
        counts.forEach((tag, count) -> assertTrue(count > 0, tag + " has no samples: " + counts));
        assertEquals(counts.get("get"), counts.get("get.service"));

        assertEquals(List.of("commit (from intended start)", "commit service time", "get (from intended start)", "get service time",
            "scan (from intended start)", "scan service time"), seriesOf(out.resolve("aedb-bench.svg")));

        final Matcher data = Pattern.compile("data (\\S+) \\(temp, deleted at the end\\)").matcher(run.out);
        assertTrue(data.find(), run.out);
        assertFalse(Files.exists(Path.of(data.group(1))), "temp data directory not deleted: " + data.group(1));
    }

    @Test
    void randomInsertOrderIsASeededPermutation()
    {
        final int[] a = BenchCommand.insertionOrder(10_000, BenchCommand.InsertOrder.random, 7);
        final int[] sorted = a.clone();
        java.util.Arrays.sort(sorted);
        for (int i = 0; i < sorted.length; i++)
        {
            assertEquals(i, sorted[i], "not a permutation of 0..9999");
        }
        assertArrayEquals(a, BenchCommand.insertionOrder(10_000, BenchCommand.InsertOrder.random, 7), "same seed, same order");
        assertFalse(java.util.Arrays.equals(a, BenchCommand.insertionOrder(10_000, BenchCommand.InsertOrder.random, 8)));
        int inPlace = 0;
        for (int i = 0; i < a.length; i++)
        {
            inPlace += a[i] == i ? 1 : 0;
        }
        assertTrue(inPlace < 100, inPlace + " of 10,000 keys kept their place: not shuffled");
        assertArrayEquals(sorted, BenchCommand.insertionOrder(10_000, BenchCommand.InsertOrder.sequential, 7));
    }

    @Test
    void badOptionsFailWithAMessage()
    {
        final String[][] cases = {
            {"shares must sum to 100", "--mix", "commit=20,get=70,scan=20"},
            {"unknown op", "--mix", "put=100"},
            {"--keys must be >= 1", "--keys", "0"},
            {"--value-size must be in 1..1048576", "--value-size", "1048577"},
            {"--rate must be > 0", "--rate", "0"},
            {"--threads must be in 1..64", "--threads", "0"},
            {"--duration must be in 1..86400", "--duration", "0"},
            {"must be at least --scan-length", "--keys", "10", "--scan-length", "100"},
        };
        for (final String[] c : cases)
        {
            final String[] args = new String[c.length + 1];
            System.arraycopy(c, 1, args, 0, c.length - 1);
            args[c.length - 1] = "--svg";
            args[c.length] = dir.resolve("never.svg").toString();
            final Run run = bench(args);
            assertNotEquals(0, run.exitCode, String.join(" ", args));
            assertTrue(run.err.contains(c[0]), "expected '" + c[0] + "' in: " + run.err);
        }
        assertFalse(Files.exists(dir.resolve("never.svg")));
    }

    private static void assertPercentileRows(final String out, final int tables)
    {
        for (final String row : PERCENTILE_ROWS)
        {
            final Matcher m = Pattern.compile("(?m)^" + Pattern.quote(row) + " +\\d").matcher(out);
            int found = 0;
            while (m.find())
            {
                found++;
            }
            assertEquals(tables, found, "row " + row + " in\n" + out);
        }
        assertTrue(Pattern.compile("(?m)^ops/s +[\\d,]+").matcher(out).find(), out);
    }

    private static Map<String, Long> hlogCounts(final Path hlog) throws Exception
    {
        final Map<String, Long> counts = new HashMap<>();
        try (HistogramLogReader reader = new HistogramLogReader(hlog.toFile()))
        {
            EncodableHistogram h;
            while ((h = reader.nextIntervalHistogram()) != null)
            {
                counts.merge(h.getTag(), ((org.HdrHistogram.Histogram)h).getTotalCount(), Long::sum);
            }
        }
        return counts;
    }

    /** @return the data-series names of the SVG's polylines, after checking it parses as XML. */
    private static List<String> seriesOf(final Path svg) throws Exception
    {
        final DocumentBuilderFactory factory = DocumentBuilderFactory.newInstance();
        factory.setFeature(XMLConstants.FEATURE_SECURE_PROCESSING, true);
        factory.setNamespaceAware(true);
        final File file = svg.toFile();
        final Document doc = factory.newDocumentBuilder().parse(file);
        assertEquals("svg", doc.getDocumentElement().getLocalName());
        final NodeList lines = doc.getElementsByTagNameNS("http://www.w3.org/2000/svg", "polyline");
        final List<String> names = new ArrayList<>();
        for (int i = 0; i < lines.getLength(); i++)
        {
            final Element e = (Element)lines.item(i);
            assertTrue(e.getAttribute("points").split(" ").length >= 2, "a curve needs points: " + e.getAttribute("data-series"));
            names.add(e.getAttribute("data-series"));
        }
        return names;
    }
}
