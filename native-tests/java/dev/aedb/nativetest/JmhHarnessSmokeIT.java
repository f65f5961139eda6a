package dev.aedb.nativetest;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The JMH harness in {@code jmh/} runs end to end on a tiny workload: installs the engine jar this build just packaged,
 * builds the benchmarks, checks that every engine opens in one JVM ({@code EnginesInOneJvm}), runs every benchmark for
 * every engine through {@code jmh/run.sh} (one fork, no warm-up, one 100 ms iteration, 2,000 keys), and checks that the
 * JSON has a result for every (benchmark, engine) pair the suite promises and that the results table has a row per
 * workload with a ratio. No timing is asserted: the numbers of such a run mean nothing. The YCSB bindings in
 * {@code jmh/ycsb/} get the same kind of smoke run.
 */
class JmhHarnessSmokeIT
{
    private static final List<String> ALL = List.of("aedb", "lmdb", "rocksdb", "h2mvstore", "chroniclemap", "sqlite");
    private static final List<String> DURABLE = List.of("aedb", "lmdb", "rocksdb", "h2mvstore", "sqlite");
    private static final List<String> ORDERED = DURABLE;
    /** Benchmark (class.method) to the engines it must have a result for; an empty list: one result, no engine. */
    private static final Map<String, List<String>> EXPECTED = new LinkedHashMap<>();
    /** The rows the results table must have, each ending in a ratio cell. */
    private static final List<String> ROWS = List.of(
        "1. durable single-put commit, p50", "1. durable single-put commit, p99",
        "2. buffered single-put commit, p50", "2. buffered single-put commit, p99",
        "3. durable 100-put batch",
        "4. point get, 1 thread", "4. point get, 2 threads", "4. point get, 1 thread, byte[] API",
        "5. scan 100 entries", "5. scan 100 entries, byte[] API",
        "6. reopen after clean close",
        "8. durable commits, 1 writer thread", "8. durable commits, 2 writer threads",
        "8. durable commits, 4 writer threads", "8. durable commits, 8 writer threads");
    private static final Pattern RATIO = Pattern.compile("\\| \\d+\\.\\d\\d \\(vs [a-z0-9]+\\) \\|$");
    private static final long STEP_TIMEOUT_MINUTES = 10;

    static
    {
        EXPECTED.put("DurableCommitBench.commit", DURABLE);
        EXPECTED.put("DurableCommitBench.rawForce", List.of());
        EXPECTED.put("BufferedCommitBench.commit", ALL);
        EXPECTED.put("BatchCommitBench.commit100", DURABLE);
        for (final String api : List.of("handle", "bytes")) // the read benchmarks run each engine through both APIs
        {
            EXPECTED.put("PointGetBench.getOneThread api=" + api, ALL);
            EXPECTED.put("PointGetBench.getTwoThreads api=" + api, ALL);
            EXPECTED.put("ScanBench.scan100 api=" + api, ORDERED);
        }
        EXPECTED.put("ReopenBench.reopen", ALL);
        EXPECTED.put("GroupCommitBench.writers1", DURABLE);
        EXPECTED.put("GroupCommitBench.writers2", DURABLE);
        EXPECTED.put("GroupCommitBench.writers4", DURABLE);
        EXPECTED.put("GroupCommitBench.writers8", DURABLE);
        for (final String query : List.of("pkGet", "pkQuery", "indexEq10", "indexRange100", "orderByLimit20", "groupBySum", "join1k"))
        {
            EXPECTED.put("QueryBench." + query, List.of("aedb", "sqlite", "h2"));
        }
        EXPECTED.put("IndexMaintenanceBench.upsert", List.of("", "", "")); // no engine parameter; 0, 1 and 3 indexes
    }

    @Test
    void harnessRunsEveryBenchmarkForEveryEngineOnATinyWorkload() throws Exception
    {
        final String mvn = findMaven();
        Assumptions.assumeTrue(mvn != null, "no mvn on PATH and no maven.home: cannot build the jmh project");
        final Path root = Path.of(System.getProperty("basedir", System.getProperty("user.dir"))).toAbsolutePath();
        final Path work = Files.createTempDirectory("aedb-jmh-smoke-");
        final Path log = work.resolve("steps.log");
        boolean passed = false;
        final long t0 = System.nanoTime();
        try
        {
            installEngine(root, log, mvn);
            run(root, log, mvn, "-B", "-q", "-f", "jmh/pom.xml", "package");
            final Path benchmarks = root.resolve("jmh/target/benchmarks.jar");
            assertTrue(Files.isRegularFile(benchmarks), "no " + benchmarks);

            final String oneJvm = run(root, log, javaExecutable(), "-cp", benchmarks.toString(),
                "dev.aedb.bench.EnginesInOneJvm");
            assertTrue(oneJvm.contains("OK all engines open in one JVM"), "EnginesInOneJvm said:\n" + oneJvm);

            final Path json = work.resolve("results.json");
            final Path table = work.resolve("RESULTS.md");
            run(root, log, Map.of("SKIP_BUILD", "1", "JAVA", javaExecutable(), "RESULTS_MD", table.toString()),
                "bash", "jmh/run.sh", "-f", "1", "-wi", "0", "-i", "1", "-r", "100ms", "-p", "keys=2000",
                "-p", "capacity=1000000", "-rf", "json", "-rff", json.toString());

            checkResults(new ObjectMapper().readTree(json.toFile()));
            checkTable(Files.readString(table, StandardCharsets.UTF_8));
            passed = true;
            System.out.printf("JmhHarnessSmokeIT: passed in %d s%n", TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - t0));
        }
        finally
        {
            if (passed)
            {
                ChildJvm.deleteTree(work);
            }
            else
            {
                System.out.println("JmhHarnessSmokeIT failed; output kept in " + work);
            }
        }
    }

    /**
     * The YCSB bindings in {@code jmh/ycsb/} run YCSB's own client end to end: packages them against the engine jar
     * this build made, runs workloads A (reads and updates) and E (scans and inserts) with 500 records and 1,000
     * operations for aedb and RocksDB ({@code YcsbSuite} fails on any operation YCSB counts as failed), and checks the
     * table has a row with throughputs for each pair.
     */
    @Test
    void ycsbBindingsRunYcsbsClientForBothEngines() throws Exception
    {
        final String mvn = findMaven();
        Assumptions.assumeTrue(mvn != null, "no mvn on PATH and no maven.home: cannot build the ycsb project");
        final Path root = Path.of(System.getProperty("basedir", System.getProperty("user.dir"))).toAbsolutePath();
        final Path work = Files.createTempDirectory("aedb-ycsb-smoke-");
        final Path log = work.resolve("steps.log");
        boolean passed = false;
        try
        {
            installEngine(root, log, mvn);
            run(root, log, mvn, "-B", "-q", "-f", "jmh/ycsb/pom.xml", "package");
            final Path jar = root.resolve("jmh/ycsb/target/ycsb.jar");
            assertTrue(Files.isRegularFile(jar), "no " + jar);
            final String out = run(root, log, javaExecutable(), "-jar", jar.toString(), "--workloads", "a,e", "--records", "500",
                "--operations", "1000", "--out", work.resolve("ycsb").toString());
            for (final String row : List.of("| A | aedb |", "| A | rocksdb |", "| E | aedb |", "| E | rocksdb |"))
            {
                final String line = out.lines().filter(l -> l.startsWith(row)).findFirst().orElse(null);
                assertNotNull(line, "no row '" + row + "' in:\n" + out);
                assertTrue(Pattern.compile("^\\| [AE] \\| [a-z]+ \\| [\\d,]+ \\| [\\d,]+ \\| .*\\d.* \\|$").matcher(line).matches(),
                    "row without throughputs and p99s: " + line);
            }
            assertTrue(out.contains("scan "), "workload E reported no scan p99:\n" + out);
            passed = true;
        }
        finally
        {
            if (passed)
            {
                ChildJvm.deleteTree(work);
            }
            else
            {
                System.out.println("ycsb smoke failed; output kept in " + work);
            }
        }
    }

    /** Installs the engine jar this build's package phase made into the local repository, for the side projects. */
    private static void installEngine(final Path root, final Path log, final String mvn) throws Exception
    {
        final Path engineJar = root.resolve("target/aedb.jar");
        assertTrue(Files.isRegularFile(engineJar), "the package phase did not make " + engineJar);
        run(root, log, mvn, "-B", "-q", "install:install-file", "-Dfile=" + engineJar, "-DpomFile=pom.xml");
    }

    private static void checkResults(final JsonNode results)
    {
        final Map<String, List<String>> found = new LinkedHashMap<>();
        for (final JsonNode r : results)
        {
            final String full = r.path("benchmark").asText();
            final String api = r.path("params").path("api").asText("");
            final String name = full.substring(full.lastIndexOf('.', full.lastIndexOf('.') - 1) + 1)
                + (api.isEmpty() ? "" : " api=" + api);
            final double score = r.path("primaryMetric").path("score").asDouble(Double.NaN);
            assertTrue(score > 0 && Double.isFinite(score), name + " " + r.path("params") + ": score " + score);
            found.computeIfAbsent(name, k -> new ArrayList<>()).add(r.path("params").path("engine").asText(""));
        }
        for (final Map.Entry<String, List<String>> e : EXPECTED.entrySet())
        {
            final List<String> engines = found.get(e.getKey());
            assertNotNull(engines, "no result at all for " + e.getKey() + "; found " + found);
            if (e.getValue().isEmpty())
            {
                assertEquals(List.of(""), engines, e.getKey() + " has no engine parameter");
            }
            else
            {
                assertEquals(e.getValue(), engines, "engines with a result for " + e.getKey());
            }
        }
        assertEquals(EXPECTED.keySet(), found.keySet(), "benchmarks in the results");
    }

    private static void checkTable(final String markdown)
    {
        assertTrue(markdown.contains("| aedb / best peer |"), "no ratio column:\n" + markdown);
        final List<String> lines = markdown.lines().toList();
        for (final String row : ROWS)
        {
            final String line = lines.stream().filter(l -> l.startsWith("| " + row + " ") || l.startsWith("| " + row + " ("))
                .findFirst().orElse(null);
            assertNotNull(line, "no row '" + row + "' in the table:\n" + markdown);
            assertTrue(RATIO.matcher(line).find(), "row without a ratio: " + line);
            assertFalse(line.contains("—"), "row with an engine missing: " + line);
        }
        assertTrue(markdown.lines().anyMatch(l -> l.startsWith("| preallocated file") && l.contains("p50 ")),
            "no disk floor row with a ratio:\n" + markdown);
    }

    private static String run(final Path dir, final Path log, final String... command) throws Exception
    {
        return run(dir, log, Map.of(), command);
    }

    /** Runs a command to completion (bounded), appends its output to {@code log}, and fails on a non-zero exit. */
    private static String run(final Path dir, final Path log, final Map<String, String> env, final String... command)
        throws Exception
    {
        final Path out = Files.createTempFile(log.getParent(), "step-", ".log");
        final ProcessBuilder pb = new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true)
            .redirectOutput(out.toFile());
        pb.environment().putAll(env);
        pb.environment().remove("JAVA_TOOL_OPTIONS");
        pb.environment().remove("_JAVA_OPTIONS");
        final long t0 = System.nanoTime();
        final Process p = pb.start();
        if (!p.waitFor(STEP_TIMEOUT_MINUTES, TimeUnit.MINUTES))
        {
            p.descendants().forEach(ProcessHandle::destroyForcibly);
            p.destroyForcibly();
            throw new AssertionError(String.join(" ", command) + " did not finish within " + STEP_TIMEOUT_MINUTES
                + " min; output in " + out);
        }
        final String text = Files.readString(out, StandardCharsets.UTF_8);
        Files.writeString(log, "$ " + String.join(" ", command) + "  (" + TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - t0)
            + " s, exit " + p.exitValue() + ")\n" + text + "\n", StandardCharsets.UTF_8, StandardOpenOption.CREATE,
            StandardOpenOption.APPEND);
        assertEquals(0, p.exitValue(), String.join(" ", command) + " failed:\n" + tail(text));
        return text;
    }

    private static String tail(final String text)
    {
        return text.length() <= 8000 ? text : "..." + text.substring(text.length() - 8000);
    }

    /** @return the mvn launcher: {@code maven.home}/bin/mvn when that property is set, else the first mvn on PATH. */
    private static String findMaven()
    {
        final String home = System.getProperty("maven.home");
        if (home != null && Files.isExecutable(Path.of(home, "bin", "mvn")))
        {
            return Path.of(home, "bin", "mvn").toString();
        }
        final String path = System.getenv("PATH");
        if (path == null)
        {
            return null;
        }
        for (final String dir : path.split(File.pathSeparator))
        {
            final Path candidate = Path.of(dir.isEmpty() ? "." : dir, "mvn");
            if (Files.isExecutable(candidate))
            {
                return candidate.toString();
            }
        }
        return null;
    }

    private static String javaExecutable()
    {
        return ProcessHandle.current().info().command()
            .filter(c -> Files.isExecutable(Path.of(c)))
            .orElse(System.getProperty("java.home") + "/bin/java");
    }
}
