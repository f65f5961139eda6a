package dev.aedb.cli;

import org.HdrHistogram.EncodableHistogram;
import org.HdrHistogram.HistogramLogReader;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.w3c.dom.Document;

import picocli.CommandLine;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import javax.xml.parsers.DocumentBuilderFactory;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Smoke test of {@code aedb bench}: a tiny workload runs end to end (closed loop and at a target rate), prints every
 * percentile, writes an .hlog that reads back with counts for every op in the mix, and an SVG that parses with one
 * polyline per series. Bad options fail with a message and change nothing. No timing is asserted.
 */
class BenchCommandTest
{
    @TempDir
    Path dir;

    private record Run(int exitCode, String out, String err)
    {
    }

    private Run bench(final String... args)
    {
        final PrintStream oldOut = System.out;
        final PrintStream oldErr = System.err;
        final ByteArrayOutputStream out = new ByteArrayOutputStream();
        final ByteArrayOutputStream err = new ByteArrayOutputStream();
        final StringWriter picoErr = new StringWriter();
        try
        {
            System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
            System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
            final CommandLine cli = new CommandLine(new Main());
            cli.setErr(new PrintWriter(picoErr, true));
            final String[] full = new String[args.length + 1];
            full[0] = "bench";
            System.arraycopy(args, 0, full, 1, args.length);
            final int code = cli.execute(full);
            return new Run(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8) + picoErr);
        }
        finally
        {
            System.setOut(oldOut);
            System.setErr(oldErr);
        }
    }

    @Test
    void shouldRunClosedLoopAndWriteLogAndPlot() throws Exception
    {
        final Path hlog = dir.resolve("closed.hlog");
        final Path svg = dir.resolve("closed.svg");
        final Run run = bench("--data-dir", dir.resolve("data").toString(), "--keys", "1000", "--duration", "1", "--warmup", "0",
            "--threads", "2", "--durability", "OS_BUFFERED", "--mix", "commit=30,get=50,scan=20", "--scan-length", "10",
            "--hlog", hlog.toString(), "--plot", svg.toString(), "--seed", "42");
        System.out.println(run.out);
        assertEquals(0, run.exitCode, run.err);
        for (final String column : new String[] {"p50", "p90", "p99", "p99.9", "p99.99", "max", "ops/s"})
        {
            assertTrue(run.out.contains(column), "missing column " + column + " in\n" + run.out);
        }
        for (final String op : new String[] {"commit", "get", "scan", "all"})
        {
            assertTrue(run.out.lines().anyMatch(l -> l.startsWith(op + " ")), "missing row " + op);
        }
        assertTrue(run.err.contains("measuring"), "progress line expected on stderr");
        final Map<String, Long> counts = readLog(hlog);
        for (final String op : BenchCommand.OPS)
        {
            assertTrue(counts.getOrDefault(op, 0L) > 0, "no " + op + " samples in the .hlog: " + counts);
        }
        assertEquals(3, polylines(svg), "one line per op");
    }

    @Test
    void shouldRunAtATargetRateAndRecordServiceTimeToo() throws Exception
    {
        final Path hlog = dir.resolve("rate.hlog");
        final Path svg = dir.resolve("rate.svg");
        final Run run = bench("--keys", "500", "--duration", "1", "--warmup", "0", "--rate", "400", "--mix", "commit=10,get=90,scan=0",
            "--durability", "OS_BUFFERED", "--hlog", hlog.toString(), "--plot", svg.toString());
        System.out.println(run.out);
        assertEquals(0, run.exitCode, run.err);
        assertTrue(run.out.contains("rate=400"), run.out);
        assertTrue(run.out.contains("get-service"), run.out);
        final Map<String, Long> counts = readLog(hlog);
        assertTrue(counts.getOrDefault("get", 0L) > 0, counts.toString());
        assertTrue(counts.getOrDefault("get-service", 0L) > 0, counts.toString());
        assertFalse(counts.containsKey("scan"), "scan is 0% of the mix: " + counts);
        assertEquals(4, polylines(svg), "commit and get, each latency + service time");
    }

    @Test
    void shouldRejectBadOptionsWithAMessage()
    {
        final Run mix = bench("--mix", "commit=50,get=40", "--hlog", dir.resolve("x.hlog").toString());
        assertNotEquals(0, mix.exitCode);
        assertTrue(mix.err.contains("--mix must sum to 100"), mix.err);
        final Run keys = bench("--keys", "0");
        assertNotEquals(0, keys.exitCode);
        assertTrue(keys.err.contains("--keys must be at least 1"), keys.err);
        final Run rate = bench("--rate", "-5");
        assertNotEquals(0, rate.exitCode);
        assertTrue(rate.err.contains("--rate must be > 0"), rate.err);
        assertFalse(Files.exists(dir.resolve("x.hlog")), "a rejected run writes nothing");
    }

    private static Map<String, Long> readLog(final Path hlog) throws Exception
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

    private static int polylines(final Path svg) throws Exception
    {
        final Document doc = DocumentBuilderFactory.newInstance().newDocumentBuilder().parse(svg.toFile());
        return doc.getElementsByTagName("polyline").getLength();
    }
}
