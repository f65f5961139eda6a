package dev.aedb.ycsb;

import dev.aedb.JvmFlags;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * Runs YCSB's own client ({@code site.ycsb.Client}) over core workloads A-F for aedb and RocksDB, engines interleaved
 * within each workload and round, and prints one table of YCSB's measurements. Each (round, workload, engine) gets a
 * new directory, a load phase and a transaction phase, each in a child JVM of its own (so the transaction phase reads
 * a store reopened after the load, for both engines), with the aedb JVM flags. YCSB's output of every phase is kept in
 * {@code --out}.
 * <p>
 * Arguments (all optional): {@code --workloads a,b,c,d,e,f} {@code --engines aedb,rocksdb} {@code --records 200000}
 * {@code --operations 500000} {@code --threads 1} {@code --rounds 1} {@code --out ycsb-results} and any number of
 * {@code -p name=value} passed to YCSB (for example {@code -p aedb.durability=FULL -p rocksdb.sync=true}).
 */
public final class YcsbSuite
{
    private static final Map<String, String> CLIENTS = Map.of("aedb", AedbClient.class.getName(), "rocksdb",
        RocksDbClient.class.getName());
    private static final Pattern LINE = Pattern.compile("^\\[([A-Z-]+)\\], ([^,]+), (.+)$");

    private YcsbSuite()
    {
    }

    /** One phase's figures, from YCSB's output: {@code [OVERALL], Throughput(ops/sec)} and per-operation lines. */
    record Phase(double throughput, Map<String, Double> p99Micros, Map<String, Long> operations, long errors)
    {
    }

    public static void main(final String[] args) throws Exception
    {
        List<String> workloads = List.of("a", "b", "c", "d", "e", "f");
        List<String> engines = List.of("aedb", "rocksdb");
        long records = 200_000;
        long operations = 500_000;
        int threads = 1;
        int rounds = 1;
        Path out = Path.of("ycsb-results");
        final List<String> extra = new ArrayList<>();
        for (int i = 0; i < args.length; i++)
        {
            final String value = i + 1 < args.length ? args[i + 1] : null;
            switch (args[i])
            {
                case "--workloads" -> workloads = List.of(need(args[i], value).split(","));
                case "--engines" -> engines = List.of(need(args[i], value).split(","));
                case "--records" -> records = Long.parseLong(need(args[i], value));
                case "--operations" -> operations = Long.parseLong(need(args[i], value));
                case "--threads" -> threads = Integer.parseInt(need(args[i], value));
                case "--rounds" -> rounds = Integer.parseInt(need(args[i], value));
                case "--out" -> out = Path.of(need(args[i], value));
                case "-p" ->
                {
                    extra.add("-p");
                    extra.add(need(args[i], value));
                }
                default -> throw new IllegalArgumentException("unknown argument " + args[i] + " (see YcsbSuite's Javadoc)");
            }
            i++;
        }
        for (final String engine : engines)
        {
            if (!CLIENTS.containsKey(engine))
            {
                throw new IllegalArgumentException("--engines: " + engine + " is not one of " + CLIENTS.keySet());
            }
        }
        Files.createDirectories(out);
        final Path workloadDir = Files.createTempDirectory("aedb-ycsb-workloads-");
        for (final String w : workloads)
        {
            try (InputStream in = YcsbSuite.class.getResourceAsStream("/workloads/workload" + w))
            {
                if (in == null)
                {
                    throw new IllegalArgumentException("--workloads: no workload " + w + " (a to f)");
                }
                Files.copy(in, workloadDir.resolve("workload" + w));
            }
        }
        System.err.printf(Locale.ROOT, "YCSB %s x %s, %,d records, %,d operations, %d thread(s), %d round(s); output in %s%n",
            workloads, engines, records, operations, threads, rounds, out);

        final Map<String, List<Phase[]>> results = new LinkedHashMap<>();
        for (int round = 1; round <= rounds; round++)
        {
            for (final String w : workloads)
            {
                for (final String engine : engines)
                {
                    final Path data = Files.createTempDirectory("aedb-ycsb-" + engine + "-");
                    try
                    {
                        final List<String> common = new ArrayList<>(List.of("-db", CLIENTS.get(engine), "-P",
                            workloadDir.resolve("workload" + w).toString(), "-p", "recordcount=" + records, "-p",
                            "operationcount=" + operations, "-p", engine + ".dir=" + data, "-threads", String.valueOf(threads),
                            "-s"));
                        common.addAll(extra);
                        final String tag = String.format(Locale.ROOT, "r%d-workload%s-%s", round, w, engine);
                        System.err.printf(Locale.ROOT, "round %d, workload %s, %s: load%n", round, w, engine);
                        final Phase load = phase(out.resolve(tag + "-load.txt"), "-load", common);
                        System.err.printf(Locale.ROOT, "round %d, workload %s, %s: run%n", round, w, engine);
                        final Phase run = phase(out.resolve(tag + "-run.txt"), "-t", common);
                        results.computeIfAbsent(w + "|" + engine, k -> new ArrayList<>()).add(new Phase[] {load, run});
                    }
                    finally
                    {
                        deleteTree(data);
                    }
                }
            }
        }
        deleteTree(workloadDir);
        System.out.print(table(results, rounds));
    }

    private static String need(final String name, final String value)
    {
        if (value == null)
        {
            throw new IllegalArgumentException(name + " needs a value");
        }
        return value;
    }

    /** Runs one YCSB phase in a child JVM, its output copied to {@code log}; fails unless it exits 0 without errors. */
    private static Phase phase(final Path log, final String phase, final List<String> args) throws IOException, InterruptedException
    {
        final List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.addAll(JvmFlags.required());
        command.add("-Xmx2g");
        command.add("-cp");
        command.add(Path.of(System.getProperty("java.class.path")).toAbsolutePath().toString());
        command.add("site.ycsb.Client");
        command.add(phase);
        command.addAll(args);
        final Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        final List<String> lines = new ArrayList<>();
        try (BufferedReader in = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8)))
        {
            String line;
            while ((line = in.readLine()) != null)
            {
                lines.add(line);
                if (line.contains(" sec: ") || line.startsWith("Exception") || line.contains("ERROR"))
                {
                    System.err.println("  " + line); // YCSB's status line every 10 s, and failures
                }
            }
        }
        final int exit = process.waitFor();
        Files.write(log, lines, StandardCharsets.UTF_8);
        final Phase result = parse(lines);
        if (exit != 0 || result.errors > 0 || result.throughput <= 0)
        {
            throw new IllegalStateException("YCSB " + phase + " failed (exit " + exit + ", " + result.errors + " failed operations); see "
                + log);
        }
        return result;
    }

    /** @return the figures of YCSB's summary lines ({@code [OP], name, value}). */
    static Phase parse(final List<String> lines)
    {
        double throughput = 0;
        long errors = 0;
        final Map<String, Double> p99 = new LinkedHashMap<>();
        final Map<String, Long> operations = new LinkedHashMap<>();
        for (final String line : lines)
        {
            final Matcher m = LINE.matcher(line);
            if (!m.matches())
            {
                continue;
            }
            final String op = m.group(1);
            final String name = m.group(2);
            final String value = m.group(3).trim();
            if (op.equals("OVERALL") && name.equals("Throughput(ops/sec)"))
            {
                throughput = Double.parseDouble(value);
            }
            else if (name.equals("99thPercentileLatency(us)"))
            {
                p99.put(op, Double.parseDouble(value));
            }
            else if (name.equals("Operations") && !op.equals("CLEANUP") && !op.equals("INIT"))
            {
                operations.put(op, Long.parseLong(value));
            }
            else if (name.startsWith("Return=") && !name.equals("Return=OK"))
            {
                errors += Long.parseLong(value);
            }
        }
        return new Phase(throughput, p99, operations, errors);
    }

    /** @return a Markdown table: per workload and engine, load and run throughput and each operation's p99 (medians over rounds). */
    static String table(final Map<String, List<Phase[]>> results, final int rounds)
    {
        final StringBuilder s = new StringBuilder();
        s.append(String.format(Locale.ROOT, "%n| workload | engine | load ops/s | run ops/s | run p99 per operation (us) |%n"));
        s.append("|---|---|---:|---:|---|\n");
        results.forEach((key, phases) ->
        {
            final String[] wk = key.split("\\|");
            final double load = median(phases.stream().mapToDouble(p -> p[0].throughput).toArray());
            final double run = median(phases.stream().mapToDouble(p -> p[1].throughput).toArray());
            final StringBuilder p99 = new StringBuilder();
            for (final String op : phases.get(0)[1].p99Micros.keySet())
            {
                if (op.equals("CLEANUP") || op.equals("INIT") || op.endsWith("-FAILED"))
                {
                    continue;
                }
                final double v = median(phases.stream().mapToDouble(p -> p[1].p99Micros.getOrDefault(op, Double.NaN)).toArray());
                p99.append(p99.length() == 0 ? "" : ", ").append(op.toLowerCase(Locale.ROOT)).append(' ')
                    .append(String.format(Locale.ROOT, "%,.0f", v));
            }
            s.append(String.format(Locale.ROOT, "| %s | %s | %,.0f | %,.0f | %s |%n", wk[0].toUpperCase(Locale.ROOT), wk[1], load,
                run, p99));
        });
        s.append(String.format(Locale.ROOT, "%n(medians of %d round(s); YCSB's own measurement, HdrHistogram, microseconds)%n",
            rounds));
        return s.toString();
    }

    private static double median(final double[] values)
    {
        final double[] v = values.clone();
        java.util.Arrays.sort(v);
        return v.length % 2 == 1 ? v[v.length / 2] : (v[v.length / 2 - 1] + v[v.length / 2]) / 2;
    }

    private static void deleteTree(final Path root)
    {
        if (!Files.exists(root))
        {
            return;
        }
        try (Stream<Path> paths = Files.walk(root))
        {
            paths.sorted(Comparator.reverseOrder()).forEach(p ->
            {
                try
                {
                    Files.delete(p);
                }
                catch (final IOException ex)
                {
                    throw new UncheckedIOException(ex);
                }
            });
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException(ex);
        }
    }
}
