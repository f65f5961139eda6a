package dev.aedb.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import joptsimple.OptionParser;
import joptsimple.OptionSet;
import joptsimple.OptionSpec;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Turns JMH's JSON results into the markdown table of medians per {@link Workload} and engine, with the ratio of aedb
 * to the best peer, the disk floor, allocation per operation (when {@code -prof gc} ran), the machine, the commit and
 * each benchmark's run settings. SampleTime rows use JMH's percentiles over all samples of all forks; Throughput and
 * SingleShotTime rows use the median of the measurement iteration scores of all forks ({@code rawData}).
 * <p>
 * {@code java -cp benchmarks.jar dev.aedb.bench.ResultsTable --json results.json --out RESULTS.md [--commit TEXT]
 * [--command TEXT] [--data-dir DIR]}; {@code jmh/run.sh} calls it after every run.
 */
public final class ResultsTable
{
    private static final String NOT_RUN = "—";
    private static final String ALLOC_METRIC = "gc.alloc.rate.norm";

    private final List<JsonNode> results;
    private final MachineInfo machine;
    private final String commit;
    private final String command;
    private final ZonedDateTime date;

    ResultsTable(final List<JsonNode> results, final MachineInfo machine, final String commit, final String command,
        final ZonedDateTime date)
    {
        this.results = results;
        this.machine = machine;
        this.commit = commit;
        this.command = command;
        this.date = date;
    }

    public static void main(final String[] args) throws IOException
    {
        final OptionParser parser = new OptionParser();
        final OptionSpec<String> json = parser.accepts("json", "JMH results (-rf json)").withRequiredArg().required();
        final OptionSpec<String> out = parser.accepts("out", "markdown file to write").withRequiredArg().required();
        final OptionSpec<String> commit = parser.accepts("commit", "the code measured (default: git describe here)")
            .withRequiredArg();
        final OptionSpec<String> command = parser.accepts("command", "the command that ran the benchmarks")
            .withRequiredArg();
        final OptionSpec<String> dataDir = parser.accepts("data-dir", "where the stores lived (default: java.io.tmpdir)")
            .withRequiredArg().defaultsTo(System.getProperty("java.io.tmpdir"));
        final OptionSet options;
        try
        {
            options = parser.parse(args);
        }
        catch (final RuntimeException ex)
        {
            System.err.println("ResultsTable: " + ex.getMessage());
            parser.printHelpOn(System.err);
            System.exit(2);
            return;
        }
        final List<JsonNode> results = new ArrayList<>();
        new ObjectMapper().readTree(Path.of(options.valueOf(json)).toFile()).forEach(results::add);
        final ResultsTable table = new ResultsTable(results, MachineInfo.probe(Path.of(options.valueOf(dataDir))),
            options.has(commit) ? options.valueOf(commit) : gitDescription(),
            options.has(command) ? options.valueOf(command) : null, ZonedDateTime.now(ZoneOffset.UTC));
        final Path target = Path.of(options.valueOf(out));
        if (target.toAbsolutePath().getParent() != null)
        {
            Files.createDirectories(target.toAbsolutePath().getParent());
        }
        Files.writeString(target, table.render(), StandardCharsets.UTF_8);
        System.out.println("[ResultsTable] wrote " + target.toAbsolutePath() + " from " + results.size() + " results");
    }

    /** @return the markdown document. */
    String render()
    {
        final StringBuilder md = new StringBuilder();
        md.append("# aedb beside its peers: JMH results\n\n");
        md.append("Date: ").append(date.format(DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm 'UTC'"))).append(". ");
        md.append("Code: ").append(commit).append(".");
        if (command != null)
        {
            md.append(" Command: `").append(command.strip()).append("`.");
        }
        md.append("\n\n");
        md.append("Machine: ").append(machine.cpus()).append(" CPUs (").append(machine.cpuModel()).append("), ")
            .append(machine.memory()).append(" memory, ").append(machine.kernel()).append("; ").append(jvm())
            .append("; stores on ").append(machine.disk()).append(".\n\n");
        md.append("Medians per workload and engine, all engines measured in the same run on the same data (16-byte keys, "
            + "100-byte values). **aedb / best peer** divides aedb's number by the best peer's (named): for rows where "
            + "lower is better a ratio below 1 means aedb wins, for rows where higher is better a ratio above 1 does. "
            + "n/a: the engine cannot do that workload (see the notes); " + NOT_RUN + ": no result in this run.\n\n");
        mainTable(md);
        floorTable(md);
        notes(md);
        allocationTable(md);
        settingsTable(md);
        return md.toString();
    }

    private void mainTable(final StringBuilder md)
    {
        md.append("| Workload | Unit | Better |");
        for (final String engine : Engine.NAMES)
        {
            md.append(' ').append(engine).append(" |");
        }
        md.append(" aedb / best peer |\n|---|---|---|");
        md.append("---:|".repeat(Engine.NAMES.size()));
        md.append("---|\n");
        for (final Workload w : Workload.values())
        {
            if (w.engineless())
            {
                continue;
            }
            final Map<String, Double> values = new LinkedHashMap<>();
            md.append("| ").append(w.label).append(keysSuffix(w)).append(" | ").append(w.unit).append(" | ")
                .append(w.higherIsBetter ? "higher" : "lower").append(" |");
            for (final String engine : Engine.NAMES)
            {
                final JsonNode result = find(w, engine);
                final String cell;
                if (result != null)
                {
                    final double v = value(w, result);
                    values.put(engine, v);
                    cell = format(v) + unitWarning(w, result);
                }
                else
                {
                    cell = w.notApplicable(engine) != null ? "n/a" : NOT_RUN;
                }
                md.append(' ').append(cell).append(" |");
            }
            md.append(' ').append(ratio(w, values)).append(" |\n");
        }
        md.append('\n');
    }

    /** @return "2.31 (vs lmdb)": aedb's value over the best peer's, or a dash when either is missing. */
    static String ratio(final Workload w, final Map<String, Double> values)
    {
        final Double aedb = values.get(Engine.AEDB);
        String bestPeer = null;
        double best = 0;
        for (final Map.Entry<String, Double> e : values.entrySet())
        {
            if (e.getKey().equals(Engine.AEDB))
            {
                continue;
            }
            final double v = e.getValue();
            if (bestPeer == null || (w.higherIsBetter ? v > best : v < best))
            {
                bestPeer = e.getKey();
                best = v;
            }
        }
        if (aedb == null || bestPeer == null || best == 0)
        {
            return NOT_RUN;
        }
        return String.format(Locale.ROOT, "%.2f (vs %s)", aedb / best, bestPeer);
    }

    private void floorTable(final StringBuilder md)
    {
        final JsonNode floor = find(Workload.RAW_FLOOR_P50, null);
        final JsonNode durable = find(Workload.DURABLE_P50, Engine.AEDB);
        md.append("| Disk floor: 100-byte write + fdatasync (`DurableCommitBench.rawForce`) | p50 µs | p99 µs "
            + "| aedb durable commit / floor |\n|---|---:|---:|---|\n");
        md.append("| preallocated file, advancing offset, `FileChannel.force(false)` | ");
        if (floor == null)
        {
            md.append(NOT_RUN + " | " + NOT_RUN + " | " + NOT_RUN + " |\n\n");
            return;
        }
        final double p50 = value(Workload.RAW_FLOOR_P50, floor);
        final double p99 = value(Workload.RAW_FLOOR_P99, floor);
        md.append(format(p50)).append(" | ").append(format(p99)).append(" | ");
        if (durable == null)
        {
            md.append(NOT_RUN);
        }
        else
        {
            md.append(String.format(Locale.ROOT, "p50 %.2f, p99 %.2f", value(Workload.DURABLE_P50, durable) / p50,
                value(Workload.DURABLE_P99, durable) / p99));
        }
        md.append(" |\n\n");
    }

    private static void notes(final StringBuilder md)
    {
        md.append("Notes:\n");
        final Map<String, List<String>> byReason = new LinkedHashMap<>();
        for (final Workload w : Workload.values())
        {
            for (final String engine : Engine.NAMES)
            {
                final String reason = w.notApplicable(engine);
                if (reason != null)
                {
                    final String row = w.label.substring(0, w.label.indexOf('.'));
                    final List<String> rows = byReason.computeIfAbsent(engine + ": " + reason, k -> new ArrayList<>());
                    if (!rows.contains(row))
                    {
                        rows.add(row);
                    }
                }
            }
        }
        byReason.forEach((reason, rows) -> md.append("- n/a in workload ").append(String.join(", ", rows))
            .append(" for ").append(reason).append(".\n"));
        md.append("- Batch rows show puts/s = 100 x batches/s. Scan rows are 100-entry scans per second "
            + "(entries/s = 100 x). Each engine's configuration (sync flags, caches, journal mode, map size) is in "
            + "`jmh/README.md`, \"Peers\".\n");
        md.append("- SampleTime rows: percentiles over all samples of all forks. Throughput and SingleShotTime rows: the "
            + "median of the measurement iteration scores of all forks (JMH JSON `rawData`).\n\n");
    }

    private void allocationTable(final StringBuilder md)
    {
        final StringBuilder rows = new StringBuilder();
        for (final Workload w : Workload.values())
        {
            if (w.statistic == Workload.Statistic.P99 || w.engineless())
            {
                continue;
            }
            boolean any = false;
            final StringBuilder row = new StringBuilder("| " + w.label.replace(", p50", "") + " |");
            for (final String engine : Engine.NAMES)
            {
                final JsonNode result = find(w, engine);
                final JsonNode alloc = result == null ? null : secondary(result, ALLOC_METRIC);
                if (alloc != null)
                {
                    any = true;
                    row.append(' ').append(format(alloc.path("score").asDouble())).append(" |");
                }
                else
                {
                    row.append(' ').append(result == null && w.notApplicable(engine) != null ? "n/a" : NOT_RUN)
                        .append(" |");
                }
            }
            if (any)
            {
                rows.append(row).append('\n');
            }
        }
        if (rows.length() == 0)
        {
            return;
        }
        md.append("Allocation per operation (`-prof gc`, gc.alloc.rate.norm, bytes per JMH operation: one commit, one "
            + "100-put batch, one get, one 100-entry scan, one reopen):\n\n| Workload |");
        for (final String engine : Engine.NAMES)
        {
            md.append(' ').append(engine).append(" |");
        }
        md.append("\n|---|").append("---:|".repeat(Engine.NAMES.size())).append('\n').append(rows).append('\n');
    }

    private void settingsTable(final StringBuilder md)
    {
        md.append("Run settings (per benchmark method, from the JSON):\n\n");
        md.append("| Benchmark | Mode | Threads | Forks | Warm-up | Measurement | Engines |\n|---|---|---:|---:|---|---|---|\n");
        final Map<String, List<JsonNode>> byBenchmark = new LinkedHashMap<>();
        for (final JsonNode r : results)
        {
            byBenchmark.computeIfAbsent(shortName(r), k -> new ArrayList<>()).add(r);
        }
        byBenchmark.forEach((name, rs) ->
        {
            final JsonNode r = rs.get(0);
            final List<String> engines = new ArrayList<>();
            for (final JsonNode x : rs)
            {
                final String engine = x.path("params").path("engine").asText(null);
                if (engine != null && !engines.contains(engine))
                {
                    engines.add(engine);
                }
            }
            md.append("| ").append(name).append(" | ").append(r.path("mode").asText()).append(" | ")
                .append(r.path("threads").asInt()).append(" | ").append(r.path("forks").asInt()).append(" | ")
                .append(iterations(r, "warmup")).append(" | ").append(iterations(r, "measurement")).append(" | ")
                .append(engines.isEmpty() ? "(no engine)" : String.join(", ", engines)).append(" |\n");
        });
        md.append('\n');
    }

    private static String iterations(final JsonNode r, final String phase)
    {
        final int n = r.path(phase + "Iterations").asInt();
        if ("ss".equals(r.path("mode").asText()))
        {
            return n + " x 1 call";
        }
        return n + " x " + r.path(phase + "Time").asText();
    }

    private String jvm()
    {
        if (results.isEmpty())
        {
            return "no results";
        }
        final JsonNode r = results.get(0);
        return r.path("vmName").asText() + " " + r.path("vmVersion").asText() + " (JDK " + r.path("jdkVersion").asText()
            + "), JMH " + r.path("jmhVersion").asText();
    }

    /** @return " (1,000,000 keys)" when the row's results carry a {@code keys} parameter. */
    private String keysSuffix(final Workload w)
    {
        for (final JsonNode r : results)
        {
            if (shortName(r).equals(w.benchmark) && r.path("params").has("keys"))
            {
                return String.format(Locale.ROOT, " (%,d keys)", r.path("params").path("keys").asLong());
            }
        }
        return "";
    }

    /** @return the first result of {@code w}'s benchmark for {@code engine} (null: one without an engine parameter). */
    private JsonNode find(final Workload w, final String engine)
    {
        for (final JsonNode r : results)
        {
            if (!shortName(r).equals(w.benchmark))
            {
                continue;
            }
            final JsonNode params = r.path("params");
            final String e = params.path("engine").asText(null);
            if (engine == null ? e != null : !engine.equals(e))
            {
                continue;
            }
            boolean match = true;
            for (final Map.Entry<String, String> p : w.requiredParams().entrySet())
            {
                final String actual = params.path(p.getKey()).asText(null);
                match &= actual == null || p.getValue().equals(actual);
            }
            if (match)
            {
                return r;
            }
        }
        return null;
    }

    /** @return the row's statistic of one JMH result, times the row's factor. */
    static double value(final Workload w, final JsonNode result)
    {
        final JsonNode metric = result.path("primaryMetric");
        return switch (w.statistic)
        {
            case P50 -> metric.path("scorePercentiles").path("50.0").asDouble();
            case P99 -> metric.path("scorePercentiles").path("99.0").asDouble();
            case MEDIAN -> median(metric.path("rawData")) * w.factor;
        };
    }

    /** @return the median of all numbers in JMH's {@code rawData} (one array of iteration scores per fork). */
    static double median(final JsonNode rawData)
    {
        final List<Double> all = new ArrayList<>();
        rawData.forEach(fork -> fork.forEach(score -> all.add(score.asDouble())));
        if (all.isEmpty())
        {
            return Double.NaN;
        }
        final double[] sorted = all.stream().mapToDouble(Double::doubleValue).toArray();
        Arrays.sort(sorted);
        final int n = sorted.length;
        return n % 2 == 1 ? sorted[n / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2;
    }

    /** @return a note when JMH reported the row in another unit than the row states (e.g. after {@code -tu}). */
    private static String unitWarning(final Workload w, final JsonNode result)
    {
        final String expected = switch (w.unit)
        {
            case "µs" -> "us/op";
            case "ms" -> "ms/op";
            default -> "ops/s";
        };
        final String actual = result.path("primaryMetric").path("scoreUnit").asText();
        return expected.equals(actual) ? "" : " " + actual;
    }

    private static JsonNode secondary(final JsonNode result, final String name)
    {
        final JsonNode secondaries = result.path("secondaryMetrics");
        for (final var it = secondaries.fields(); it.hasNext(); )
        {
            final Map.Entry<String, JsonNode> e = it.next();
            if (e.getKey().replace("\u00b7", "").equals(name))
            {
                return e.getValue();
            }
        }
        return null;
    }

    private static String shortName(final JsonNode result)
    {
        final String full = result.path("benchmark").asText();
        final int method = full.lastIndexOf('.');
        final int type = full.lastIndexOf('.', method - 1);
        return full.substring(type + 1);
    }

    static String format(final double v)
    {
        if (Double.isNaN(v))
        {
            return NOT_RUN;
        }
        final double abs = Math.abs(v);
        if (abs >= 1000)
        {
            return String.format(Locale.ROOT, "%,.0f", v);
        }
        if (abs >= 100)
        {
            return String.format(Locale.ROOT, "%.1f", v);
        }
        if (abs >= 1)
        {
            return String.format(Locale.ROOT, "%.2f", v);
        }
        return String.format(Locale.ROOT, "%.3f", v);
    }

    /** @return "abc1234" or "abc1234 + uncommitted changes" for the working directory, or "unknown". */
    static String gitDescription()
    {
        final String head = git("rev-parse", "--short", "HEAD");
        if (head == null || head.isBlank())
        {
            return "unknown commit";
        }
        final String status = git("status", "--porcelain", "--untracked-files=no");
        return "commit `" + head.trim() + "`" + (status != null && !status.isBlank() ? " + uncommitted changes" : "");
    }

    private static String git(final String... args)
    {
        final List<String> command = new ArrayList<>();
        command.add("git");
        command.addAll(List.of(args));
        try
        {
            final Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
            final String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!p.waitFor(10, TimeUnit.SECONDS) || p.exitValue() != 0)
            {
                return null;
            }
            return out;
        }
        catch (final IOException ex)
        {
            return null;
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
            return null;
        }
    }
}
