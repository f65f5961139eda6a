package dev.aedb.bench;

import dev.aedb.AedbConfig;
import dev.aedb.AedbInstance;
import dev.aedb.JvmFlags;
import dev.aedb.KvHandle;
import dev.aedb.KvVisitor;
import dev.aedb.model.CommitResult;
import dev.aedb.model.Durability;
import dev.aedb.model.Mutation;
import dev.aedb.model.RecoveryReport;
import dev.aedb.model.TransactionEnvelope;

import org.agrona.concurrent.UnsafeBuffer;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * Measurements of aedb's checkpoints (issue 10) that do not fit JMH's model of one repeated operation: each prints its
 * rounds and the medians. 16-byte keys, 100-byte values ({@link BenchData}), loaded in the seeded random order of
 * {@link BenchData#insertionOrder} in atomic batches of 1,000, under aedb's configuration as in {@link AedbEngine}
 * ({@code OS_BUFFERED} unless said otherwise, 64 MiB store segments, checkpoint defaults unless said otherwise).
 * <pre>
 * java -cp jmh/target/benchmarks.jar dev.aedb.bench.CheckpointHarness open-cost [rounds=9] [keys=10000,1000000]
 * java -cp jmh/target/benchmarks.jar dev.aedb.bench.CheckpointHarness recovery [runs=5] [keys=1000000] [later=100000] [OS_BUFFERED|FULL]
 * java -cp jmh/target/benchmarks.jar dev.aedb.bench.CheckpointHarness commit-latency [rounds=5] [keys=1000000] [FULL,OS_BUFFERED] [rate=0]
 * java -cp jmh/target/benchmarks.jar dev.aedb.bench.CheckpointHarness write-rate [rounds=5] [keys=1000000]
 * java -cp jmh/target/benchmarks.jar dev.aedb.bench.CheckpointHarness disk-use [keys=1000000] [engines=aedb,aedb-kept1,lmdb,...]
 * java -cp jmh/target/benchmarks.jar dev.aedb.bench.CheckpointHarness load-latency [seconds=20] [envelopes/s=0] [puts=100]
 * </pre>
 * Relaunches itself with the engine's JVM flags (and the peers', for {@code disk-use}) when this JVM lacks them. Stores
 * live under {@code java.io.tmpdir} and are deleted afterwards.
 */
public final class CheckpointHarness
{
    private static final String PROJECT = AedbEngine.PROJECT;
    private static final String SCOPE = AedbEngine.SCOPE;
    private static final String READY = "READY";
    private static final String OPENED = "OPENED";
    /** The smallest store segment aedb's default maxValueBytes (1 MiB, at most half a segment) allows. */
    private static final int SMALL_SEGMENT = 4 << 20;

    private CheckpointHarness()
    {
    }

    public static void main(final String[] args) throws Exception
    {
        if (!JvmFlags.missing().isEmpty())
        {
            System.exit(relaunch(CheckpointHarness.class, "-Xmx3g", args));
            return;
        }
        if (args.length == 0)
        {
            System.err.println("usage: CheckpointHarness open-cost|recovery|commit-latency|write-rate|disk-use|load-latency [args]");
            System.exit(2);
            return;
        }
        final String[] rest = Arrays.copyOfRange(args, 1, args.length);
        switch (args[0])
        {
            case "open-cost" -> openCost(intArg(rest, 0, 9), intList(rest, 1, "10000,1000000"));
            case "recovery" -> recovery(intArg(rest, 0, 5), intArg(rest, 1, 1_000_000), intArg(rest, 2, 100_000),
                Durability.valueOf(arg(rest, 3, "OS_BUFFERED")));
            case "crash-writer" -> crashWriter(Path.of(rest[0]), Integer.parseInt(rest[1]), Integer.parseInt(rest[2]),
                Durability.valueOf(rest[3]));
            case "recovery-open" -> recoveryOpen(Path.of(rest[0]), Integer.parseInt(rest[1]), Integer.parseInt(rest[2]));
            case "first-open-empty" -> firstOpenEmpty();
            case "commit-latency" -> commitLatency(intArg(rest, 0, 5), intArg(rest, 1, 1_000_000),
                Arrays.stream(arg(rest, 2, "FULL,OS_BUFFERED").split(",")).map(Durability::valueOf).toList(),
                intArg(rest, 3, 0));
            case "write-rate" -> writeRate(intArg(rest, 0, 5), intArg(rest, 1, 1_000_000));
            case "load-latency" -> loadLatency(intArg(rest, 0, 20), intArg(rest, 1, 0), intArg(rest, 2, 100));
            case "disk-use" -> diskUse(intArg(rest, 0, 1_000_000),
                List.of(arg(rest, 1, "aedb,aedb-kept1,lmdb,rocksdb,h2mvstore,chroniclemap,sqlite").split(",")));
            default -> throw new IllegalArgumentException("unknown command " + args[0]);
        }
    }

    // ---------------------------------------------------------------- open cost

    /**
     * Reopen after a clean close (which wrote a checkpoint), repeated {@code rounds} times per size: the open alone, the
     * first and a second point get (the first touches the image's hash array and one segment, each CRC32C-verified at
     * its first touch), a scan of every key after a fresh open (verifies every segment) and 10,000 random gets after it;
     * an open with {@code storeSegmentBytes} 4 MiB instead of the benchmarks' 64 MiB (an open creates and zero-fills one
     * fresh arena segment of that size on the opening thread, whatever the image holds); and an open with
     * {@code verifyCheckpointOnOpen(true)} (every block verified before open returns) plus one get.
     */
    static void openCost(final int rounds, final List<Integer> sizes)
    {
        for (final int keys : sizes)
        {
            final Path dir = BenchData.tempDir("open-cost");
            try
            {
                final long loadStart = System.nanoTime();
                try (AedbInstance db = AedbInstance.open(config(Durability.OS_BUFFERED), dir))
                {
                    db.createProject(PROJECT);
                    load(db, keys);
                    db.sync();
                }
                System.out.printf(Locale.ROOT, "%n%,d keys: loaded and closed (checkpoint at close) in %,d ms; image %s%n", keys,
                    (System.nanoTime() - loadStart) / 1_000_000, images(dir));
                final UnsafeBuffer probe = new UnsafeBuffer(new byte[BenchData.KEY_BYTES]);
                final UnsafeBuffer other = new UnsafeBuffer(new byte[BenchData.KEY_BYTES]);
                final UnsafeBuffer value = new UnsafeBuffer(ByteBuffer.allocateDirect(128));
                final UnsafeBuffer keyTable = BenchData.keyTable(keys);
                final int[] random = BenchData.randomIndexes(10_000, keys, 0x0C05_7L);
                final Map<String, List<Double>> ms = new LinkedHashMap<>();
                for (int r = 0; r < rounds; r++)
                {
                    BenchData.key(keys / 2, probe.byteArray(), 0);
                    BenchData.key(keys / 7, other.byteArray(), 0);
                    long t0 = System.nanoTime();
                    try (AedbInstance db = AedbInstance.open(config(Durability.OS_BUFFERED), dir))
                    {
                        final KvHandle kv = db.kvHandle(PROJECT, SCOPE);
                        final long t1 = System.nanoTime();
                        expect(kv.get(probe, 0, BenchData.KEY_BYTES, value, 0), "first get");
                        final long t2 = System.nanoTime();
                        expect(kv.get(other, 0, BenchData.KEY_BYTES, value, 0), "second get");
                        final long t3 = System.nanoTime();
                        add(ms, "open (open + kvHandle)", t1 - t0);
                        add(ms, "first get after open", t2 - t1);
                        add(ms, "second get (another segment)", t3 - t2);
                        add(ms, "open + first get", t2 - t0);
                        if (db.recoveryReport().replayedFrames() != 0)
                        {
                            throw new IllegalStateException("replayed " + db.recoveryReport().replayedFrames() + " frames");
                        }
                    }
                    t0 = System.nanoTime();
                    try (AedbInstance db = AedbInstance.open(config(Durability.OS_BUFFERED), dir))
                    {
                        final KvHandle kv = db.kvHandle(PROJECT, SCOPE);
                        final long t1 = System.nanoTime();
                        final long[] seen = {0};
                        final KvVisitor count = (k, ko, kl, v, vo, vl, version) ->
                        {
                            seen[0]++;
                            return true;
                        };
                        final int n = kv.scan(keyTable, 0, BenchData.KEY_BYTES, keys + 1, count);
                        final long t2 = System.nanoTime();
                        if (n != keys || seen[0] != keys)
                        {
                            throw new IllegalStateException("full scan visited " + n + " of " + keys);
                        }
                        for (final int i : random)
                        {
                            expect(kv.get(keyTable, i * BenchData.KEY_BYTES, BenchData.KEY_BYTES, value, 0), "random get");
                        }
                        final long t3 = System.nanoTime();
                        add(ms, "open + scan of all keys (every segment verified)", t2 - t0);
                        add(ms, "  of which the scan", t2 - t1);
                        add(ms, "then 10,000 random gets", t3 - t2);
                    }
                    openAndFirstGet(config(Durability.OS_BUFFERED).storeSegmentBytes(SMALL_SEGMENT), dir, probe, value, ms,
                        "open, storeSegmentBytes 4 MiB (not 64)", "  + first get");
                    openAndFirstGet(config(Durability.OS_BUFFERED).verifyCheckpointOnOpen(true), dir, probe, value, ms,
                        "open with verifyCheckpointOnOpen", "  + first get ");
                }
                System.out.printf(Locale.ROOT, "%,d keys, %d rounds, ms: median [min .. max]%n", keys, rounds);
                ms.forEach((what, v) -> System.out.printf(Locale.ROOT, "  %-52s %9.3f  [%.3f .. %.3f]%n", what, median(v),
                    min(v), max(v)));
            }
            finally
            {
                BenchData.deleteRecursively(dir);
            }
        }
    }

    // ---------------------------------------------------------------- recovery after kill -9

    /**
     * {@code runs} times: a child JVM loads {@code keys} keys, checkpoints ({@code checkpointNow}), commits {@code later}
     * single puts of new keys under {@code durability}, prints READY and goes on committing until it is killed with
     * SIGKILL. The directory is then copied; the original is opened in a fresh JVM (timed inside it: the JVM's first
     * aedb open, class loading included; and the whole process from its start until the open returned), the copy in this
     * JVM, which opened aedb before (its first Chronicle open is paid). Both check every key written before READY.
     */
    static void recovery(final int runs, final int keys, final int later, final Durability durability) throws Exception
    {
        final Path warm = BenchData.tempDir("recovery-warmup");
        try (AedbInstance db = AedbInstance.open(config(Durability.OS_BUFFERED), warm))
        {
            db.createProject(PROJECT);
            load(db, 1000);
        }
        finally
        {
            BenchData.deleteRecursively(warm);
        }
        final Map<String, List<Double>> ms = new LinkedHashMap<>();
        for (int run = 0; run < runs; run++)
        {
            final Path dir = BenchData.tempDir("recovery");
            final Path copy = Path.of(dir + "-copy");
            try
            {
                final Path log = Files.createTempFile("aedb-jmh-crash-writer-", ".log");
                final long writerStart = System.nanoTime();
                final Process writer = child("crash-writer", log, dir.toString(), Integer.toString(keys), Integer.toString(later),
                    durability.name());
                final String ready;
                try (BufferedReader out = new BufferedReader(new InputStreamReader(writer.getInputStream(), StandardCharsets.UTF_8)))
                {
                    ready = awaitLine(out, READY, writer, log);
                    Thread.sleep(20); // it goes on committing: the kill lands in the middle of commits
                    writer.destroyForcibly();
                    if (!writer.waitFor(60, TimeUnit.SECONDS))
                    {
                        throw new IllegalStateException("writer did not die");
                    }
                }
                Files.deleteIfExists(log);
                final long readySeq = Long.parseLong(ready.split(" ")[1]);
                System.out.printf(Locale.ROOT, "%nrun %d: writer %s, killed (SIGKILL, exit %d) %,d ms after its start; dir %s%n",
                    run + 1, ready, writer.exitValue(), (System.nanoTime() - writerStart) / 1_000_000, du(dir));
                copyTree(dir, copy);

                final Path openLog = Files.createTempFile("aedb-jmh-recovery-open-", ".log");
                final long t0 = System.nanoTime();
                final Process opener = child("recovery-open", openLog, dir.toString(), Integer.toString(keys),
                    Integer.toString(later));
                final String opened;
                try (BufferedReader out = new BufferedReader(new InputStreamReader(opener.getInputStream(), StandardCharsets.UTF_8)))
                {
                    opened = awaitLine(out, OPENED, opener, openLog);
                    final double processMillis = (System.nanoTime() - t0) / 1e6;
                    final String rest = out.readLine(); // "CHECKED ..."
                    if (!opener.waitFor(120, TimeUnit.SECONDS) || opener.exitValue() != 0)
                    {
                        throw new IllegalStateException("recovery-open failed: " + rest + "\n" + Files.readString(openLog));
                    }
                    final Map<String, String> f = fields(opened);
                    add(ms, "fresh JVM: AedbInstance.open (first open in the JVM)", Double.parseDouble(f.get("openMillis")));
                    add(ms, "fresh JVM: process start until open returned", processMillis);
                    System.out.printf(Locale.ROOT, "  fresh JVM: %s; process start to open returned %.1f ms; %s%n", opened,
                        processMillis, rest);
                    if (Long.parseLong(f.get("lastSeq")) < readySeq)
                    {
                        throw new IllegalStateException("recovered lastSeq " + f.get("lastSeq") + " < acknowledged " + readySeq);
                    }
                }
                Files.deleteIfExists(openLog);

                final Path emptyLog = Files.createTempFile("aedb-jmh-first-open-", ".log");
                final Process empty = child("first-open-empty", emptyLog);
                try (BufferedReader out = new BufferedReader(new InputStreamReader(empty.getInputStream(), StandardCharsets.UTF_8)))
                {
                    final String line = awaitLine(out, OPENED, empty, emptyLog);
                    if (!empty.waitFor(120, TimeUnit.SECONDS) || empty.exitValue() != 0)
                    {
                        throw new IllegalStateException("first-open-empty failed\n" + Files.readString(emptyLog));
                    }
                    add(ms, "fresh JVM, for comparison: first open of an empty directory",
                        Double.parseDouble(fields(line).get("openMillis")));
                }
                Files.deleteIfExists(emptyLog);

                final long b0 = System.nanoTime();
                try (AedbInstance db = AedbInstance.open(config(Durability.OS_BUFFERED), copy))
                {
                    final long b1 = System.nanoTime();
                    final KvHandle kv = db.kvHandle(PROJECT, SCOPE);
                    final UnsafeBuffer k = new UnsafeBuffer(BenchData.key(keys + later - 1));
                    final UnsafeBuffer v = new UnsafeBuffer(ByteBuffer.allocateDirect(128));
                    expect(kv.get(k, 0, BenchData.KEY_BYTES, v, 0), "last acknowledged key");
                    final long b2 = System.nanoTime();
                    final RecoveryReport report = db.recoveryReport();
                    add(ms, "bench JVM: AedbInstance.open", (b1 - b0) / 1e6);
                    add(ms, "bench JVM: open + first get", (b2 - b0) / 1e6);
                    System.out.printf(Locale.ROOT, "  bench JVM: open %.1f ms, + first get %.1f ms, replayed %,d frames, lastSeq %d%n",
                        (b1 - b0) / 1e6, (b2 - b0) / 1e6, report.replayedFrames(), report.lastSeq());
                    checkKeys(db, keys, later);
                }
            }
            finally
            {
                BenchData.deleteRecursively(dir);
                BenchData.deleteRecursively(copy);
            }
        }
        System.out.printf(Locale.ROOT, "%nrecovery after kill -9: %,d checkpointed keys + %,d later %s commits, %d runs, ms: median [min .. max]%n",
            keys, later, durability, runs);
        ms.forEach((what, v) -> System.out.printf(Locale.ROOT, "  %-56s %9.1f  [%.1f .. %.1f]%n", what, median(v), min(v), max(v)));
    }

    /** Child: load, checkpoint, {@code later} single puts, READY, then commits until killed. */
    static void crashWriter(final Path dir, final int keys, final int later, final Durability durability)
    {
        final AedbInstance db = AedbInstance.open(config(durability), dir);
        db.createProject(PROJECT);
        load(db, keys);
        final long checkpoint = db.checkpointNow();
        long seq = 0;
        for (int i = 0; i < later; i++)
        {
            final long index = keys + (long)i;
            seq = db.commit(new Mutation.KvSet(PROJECT, SCOPE, BenchData.key(index), BenchData.value(index))).commitSeq();
        }
        System.out.println(READY + " " + seq + " checkpointSeq=" + checkpoint + " newestCheckpoint=" + db.newestCheckpointSeq()
            + " " + du(dir));
        System.out.flush();
        for (long index = keys + (long)later; ; index++)
        {
            db.commit(new Mutation.KvSet(PROJECT, SCOPE, BenchData.key(index), BenchData.value(index)));
        }
    }

    /** Child: the timed open of a killed writer's directory, then checks. */
    static void recoveryOpen(final Path dir, final int keys, final int later)
    {
        final long t0 = System.nanoTime();
        try (AedbInstance db = AedbInstance.open(config(Durability.OS_BUFFERED), dir))
        {
            final long t1 = System.nanoTime();
            final RecoveryReport report = db.recoveryReport();
            System.out.printf(Locale.ROOT, "%s openMillis=%.1f replayed=%d lastSeq=%d%n", OPENED, (t1 - t0) / 1e6,
                report.replayedFrames(), report.lastSeq());
            System.out.flush();
            final long t2 = System.nanoTime();
            checkKeys(db, keys, later);
            System.out.printf(Locale.ROOT, "CHECKED in %.0f ms%n", (System.nanoTime() - t2) / 1e6);
        }
    }

    /** Child: the JVM's first aedb open, of a new empty directory (what any first open costs: class loading, JIT). */
    static void firstOpenEmpty()
    {
        final Path dir = BenchData.tempDir("first-open");
        try
        {
            final long t0 = System.nanoTime();
            try (AedbInstance db = AedbInstance.open(config(Durability.OS_BUFFERED), dir))
            {
                System.out.printf(Locale.ROOT, "%s openMillis=%.1f%n", OPENED, (System.nanoTime() - t0) / 1e6);
                System.out.flush();
            }
        }
        finally
        {
            BenchData.deleteRecursively(dir);
        }
    }

    /** Gets the first, the last and 10,000 random keys of the {@code keys + later} acknowledged ones, exact bytes. */
    private static void checkKeys(final AedbInstance db, final int keys, final int later)
    {
        final KvHandle kv = db.kvHandle(PROJECT, SCOPE);
        final UnsafeBuffer k = new UnsafeBuffer(new byte[BenchData.KEY_BYTES]);
        final UnsafeBuffer v = new UnsafeBuffer(ByteBuffer.allocateDirect(128));
        final int total = keys + later;
        final int[] sample = BenchData.randomIndexes(10_000, total, 0xC0FFEEL);
        final int[] all = Arrays.copyOf(sample, sample.length + 3);
        all[sample.length] = 0;
        all[sample.length + 1] = total - 1;
        all[sample.length + 2] = keys;
        for (final int i : all)
        {
            BenchData.key(i, k.byteArray(), 0);
            final int n = kv.get(k, 0, BenchData.KEY_BYTES, v, 0);
            final byte[] expected = BenchData.value(i);
            if (n != expected.length)
            {
                throw new IllegalStateException("key " + i + ": length " + n);
            }
            for (int b = 0; b < n; b++)
            {
                if (v.getByte(b) != expected[b])
                {
                    throw new IllegalStateException("key " + i + ": wrong bytes");
                }
            }
        }
    }

    // ---------------------------------------------------------------- commit latency during a checkpoint

    /**
     * Per durability: a store of {@code keys} keys (automatic checkpoints off: only the ones asked for), then rounds of
     * two windows, in alternating order: single-put commits (updates of random loaded keys, so every checkpoint holds
     * {@code keys} keys) while {@code checkpointNow()} runs on another thread, from the request until it returned; and
     * the same commits for as long again with no checkpoint. Latency of each {@code db.commit}; percentiles per window
     * and over all windows of a kind.
     */
    /**
     * Commit latency in windows during a checkpoint and without one, alternating. {@code rate} 0: one thread commits
     * back to back (closed loop: on 2 cores the caller and the sequencer then use both, and a checkpoint takes CPU from
     * them). {@code rate} > 0: commits are scheduled at that many per second (open loop) and each latency is taken from
     * its scheduled start, so time spent behind schedule counts (no coordinated omission).
     */
    static void commitLatency(final int rounds, final int keys, final List<Durability> modes, final int rate)
    {
        final long interval = rate > 0 ? 1_000_000_000L / rate : 0;
        for (final Durability mode : modes)
        {
            final Path dir = BenchData.tempDir("commit-latency");
            try (AedbInstance db = AedbInstance.open(config(mode).checkpointWalBytes(0).checkpointIntervalMillis(0)
                .checkpointOnClose(false), dir))
            {
                db.createProject(PROJECT);
                load(db, keys);
                db.sync();
                final long c0 = System.nanoTime();
                db.checkpointNow();
                long windowNanos = System.nanoTime() - c0;
                System.out.printf(Locale.ROOT, "%n%s: %,d keys loaded; first checkpoint %,d ms, image %s; %s%n", mode, keys,
                    windowNanos / 1_000_000, images(dir), rate > 0 ? String.format(Locale.ROOT, "open loop, %,d commits/s", rate)
                        : "closed loop");
                final byte[][] keyBytes = new byte[keys][];
                for (int i = 0; i < keys; i++)
                {
                    keyBytes[i] = BenchData.key(i);
                }
                final int[] order = BenchData.randomIndexes(BenchData.RANDOM_COUNT, keys, 0xC0_4417L);
                final Latencies warm = new Latencies(1 << 22);
                commitFor(db, keyBytes, order, warm, () -> false, 2_000_000_000L, interval); // JIT warm-up
                final Latencies allDuring = new Latencies(1 << 24);
                final Latencies allWithout = new Latencies(1 << 24);
                final List<String> lines = new ArrayList<>();
                for (int r = 0; r < rounds; r++)
                {
                    for (int half = 0; half < 2; half++)
                    {
                        final boolean during = (r % 2 == 0) == (half == 0);
                        final Latencies l = new Latencies(1 << 23);
                        if (during)
                        {
                            final long s = System.nanoTime();
                            final CompletableFuture<Long> ck = CompletableFuture.supplyAsync(db::checkpointNow,
                                runnable -> new Thread(runnable, "checkpoint-request").start());
                            commitFor(db, keyBytes, order, l, ck::isDone, Long.MAX_VALUE, interval);
                            windowNanos = System.nanoTime() - s;
                            ck.join();
                            allDuring.addAll(l);
                        }
                        else
                        {
                            commitFor(db, keyBytes, order, l, () -> false, windowNanos, interval);
                            allWithout.addAll(l);
                        }
                        lines.add(String.format(Locale.ROOT, "  round %d %-18s %6.0f ms %s (at +%.1f ms)", r + 1,
                            during ? "during checkpoint" : "no checkpoint", windowNanos / 1e6, l.summary(), l.longestAt / 1e6));
                    }
                }
                lines.forEach(System.out::println);
                System.out.printf(Locale.ROOT, "%s all windows: during checkpoint %s%n", mode, allDuring.summary());
                System.out.printf(Locale.ROOT, "%s all windows: no checkpoint     %s%n", mode, allWithout.summary());
                System.out.printf(Locale.ROOT, "%s ratio during / without: p50 %.2f, p99 %.2f, p99.9 %.2f%n", mode,
                    allDuring.percentile(50) / allWithout.percentile(50), allDuring.percentile(99) / allWithout.percentile(99),
                    allDuring.percentile(99.9) / allWithout.percentile(99.9));
            }
            finally
            {
                BenchData.deleteRecursively(dir);
            }
        }
    }

    // ---------------------------------------------------------------- a growing store: envelope latency under automatic checkpoints

    /**
     * A store growing by inserts, with the default automatic checkpoints: for {@code seconds}, envelopes of {@code puts}
     * KvSets of new ascending keys ({@code BatchCommitBench}'s buffered SEQUENTIAL workload), back to back ({@code rate}
     * 0) or scheduled at {@code rate} envelopes per second (latency from the scheduled start). Each checkpoint's image is
     * larger than the last, whose size set the trigger. Prints the envelopes committed, their latency percentiles, how
     * many took over 100 ms, and the checkpoints taken.
     */
    static void loadLatency(final int seconds, final int rate, final int puts)
    {
        final long interval = rate > 0 ? 1_000_000_000L / rate : 0;
        final Path dir = BenchData.tempDir("load-latency");
        try (AedbInstance db = AedbInstance.open(config(Durability.OS_BUFFERED), dir))
        {
            db.createProject(PROJECT);
            final List<Mutation> batch = new ArrayList<>(puts);
            final Latencies l = new Latencies(1 << 22);
            long key = 0;
            long slow = 0;
            final long start = System.nanoTime();
            final long end = start + seconds * 1_000_000_000L;
            for (long n = 0; ; n++)
            {
                long t0 = System.nanoTime();
                if (t0 >= end)
                {
                    break;
                }
                batch.clear();
                for (int i = 0; i < puts; i++, key++)
                {
                    batch.add(new Mutation.KvSet(PROJECT, SCOPE, BenchData.key(key), BenchData.value(key)));
                }
                if (interval > 0)
                {
                    t0 = awaitSchedule(start + n * interval);
                }
                final long called = System.nanoTime();
                db.commit(TransactionEnvelope.of(batch));
                final long t1 = System.nanoTime();
                l.add(t1 - t0);
                if (t1 - called > 50_000_000L)
                {
                    System.out.printf(Locale.ROOT, "load-latency: one commit took %,.1f ms at +%,.3f s (%,d keys)%n",
                        (t1 - called) / 1e6, (called - start) / 1e9, key);
                }
                if (t1 - t0 > 100_000_000L)
                {
                    slow++;
                }
            }
            final double elapsed = (System.nanoTime() - start) / 1e9;
            System.out.printf(Locale.ROOT, "load-latency: %s, %d puts an envelope, %.1f s: %,d keys (%,.0f puts/s), "
                + "newest checkpoint seq %,d, image %s%n", rate > 0 ? String.format(Locale.ROOT, "%,d envelopes/s", rate)
                : "back to back", puts, elapsed, key, key / elapsed, db.newestCheckpointSeq(), images(dir));
            System.out.printf(Locale.ROOT, "load-latency: envelopes %s; over 100 ms: %,d%n", l.summary(), slow);
        }
        finally
        {
            BenchData.deleteRecursively(dir);
        }
    }

    /** Times an open with {@code config} and, from the same start, the first get after it. */
    private static void openAndFirstGet(final AedbConfig config, final Path dir, final UnsafeBuffer probe,
        final UnsafeBuffer value, final Map<String, List<Double>> ms, final String openLabel, final String getLabel)
    {
        final long t0 = System.nanoTime();
        try (AedbInstance db = AedbInstance.open(config, dir))
        {
            final KvHandle kv = db.kvHandle(PROJECT, SCOPE);
            final long t1 = System.nanoTime();
            expect(kv.get(probe, 0, BenchData.KEY_BYTES, value, 0), "first get");
            final long t2 = System.nanoTime();
            add(ms, openLabel, t1 - t0);
            add(ms, getLabel, t2 - t0);
        }
    }

    private static void commitFor(final AedbInstance db, final byte[][] keyBytes, final int[] order, final Latencies into,
        final java.util.function.BooleanSupplier stop, final long maxNanos, final long interval)
    {
        final long start = System.nanoTime();
        int n = 0;
        while (!stop.getAsBoolean())
        {
            final int k = order[into.cursor++ & (BenchData.RANDOM_COUNT - 1)];
            long t0 = System.nanoTime();
            if (interval > 0)
            {
                t0 = awaitSchedule(start + n * interval);
            }
            db.commit(new Mutation.KvSet(PROJECT, SCOPE, keyBytes[k], BenchData.writeValue(n++)));
            final long t1 = System.nanoTime();
            into.add(t1 - t0);
            if (t1 - t0 > into.longest)
            {
                into.longest = t1 - t0;
                into.longestAt = t0 - start;
            }
            if (t1 - start >= maxNanos)
            {
                break;
            }
        }
    }

    /**
     * Open loop: waits until {@code scheduled} ({@code System.nanoTime()}), parking until 50 µs before it and spinning
     * the rest.
     *
     * @return {@code scheduled}, the start a latency is taken from (time spent behind schedule counts).
     */
    private static long awaitSchedule(final long scheduled)
    {
        long now = System.nanoTime();
        while (scheduled - now > 60_000)
        {
            java.util.concurrent.locks.LockSupport.parkNanos(scheduled - now - 50_000);
            now = System.nanoTime();
        }
        while (scheduled - now > 0)
        {
            Thread.onSpinWait();
            now = System.nanoTime();
        }
        return scheduled;
    }

    /** Latency samples in nanoseconds. */
    static final class Latencies
    {
        private long[] samples;
        private int count;
        private boolean sorted;
        int cursor;
        /** The longest latency of one window and when it started, from the window's start (ns). */
        long longest;
        long longestAt;

        Latencies(final int capacity)
        {
            samples = new long[capacity];
        }

        void add(final long nanos)
        {
            if (count == samples.length)
            {
                samples = Arrays.copyOf(samples, samples.length * 2);
            }
            samples[count++] = nanos;
            sorted = false;
        }

        void addAll(final Latencies other)
        {
            for (int i = 0; i < other.count; i++)
            {
                add(other.samples[i]);
            }
        }

        /** @return the nearest-rank percentile in microseconds. */
        double percentile(final double p)
        {
            if (count == 0)
            {
                return Double.NaN;
            }
            if (!sorted)
            {
                Arrays.sort(samples, 0, count);
                sorted = true;
            }
            final int rank = (int)Math.ceil(p / 100 * count);
            return samples[Math.max(0, Math.min(count - 1, rank - 1))] / 1000.0;
        }

        String summary()
        {
            return String.format(Locale.ROOT, "n=%,9d  p50 %8.2f  p99 %9.2f  p99.9 %9.2f  max %10.1f µs", count, percentile(50),
                percentile(99), percentile(99.9), percentile(100));
        }
    }

    // ---------------------------------------------------------------- checkpoint write rate

    /**
     * A store of {@code keys} keys (automatic checkpoints off); rounds of: one update, then {@code checkpointNow()}
     * (timed; the image's size from its file), and a raw sequential write of the same byte count to a new file in the
     * same directory in 4 MiB {@code FileChannel.write}s plus {@code force(true)} (timed from the open to after the
     * force), in alternating order. Rate = bytes / time; ratio checkpoint / raw per round.
     */
    static void writeRate(final int rounds, final int keys) throws IOException
    {
        final Path dir = BenchData.tempDir("write-rate");
        try (AedbInstance db = AedbInstance.open(config(Durability.OS_BUFFERED).checkpointWalBytes(0).checkpointIntervalMillis(0)
            .checkpointOnClose(false), dir))
        {
            db.createProject(PROJECT);
            load(db, keys);
            db.sync();
            final ByteBuffer chunk = ByteBuffer.allocateDirect(4 << 20);
            final byte[] noise = BenchData.value(12345);
            for (int i = 0; i < chunk.capacity(); i++)
            {
                chunk.put(i, (byte)(noise[i % noise.length] ^ i));
            }
            final List<Double> ckRates = new ArrayList<>();
            final List<Double> rawRates = new ArrayList<>();
            final List<Double> ratios = new ArrayList<>();
            final List<Double> ckMillis = new ArrayList<>();
            System.out.printf(Locale.ROOT, "%ncheckpoint write rate, %,d keys (round 0 is a warm-up)%n", keys);
            for (int r = 0; r <= rounds; r++)
            {
                db.commit(new Mutation.KvSet(PROJECT, SCOPE, BenchData.key(r % keys), BenchData.value(r % keys)));
                double ck = 0;
                double raw = 0;
                long bytes = 0;
                for (int half = 0; half < 2; half++)
                {
                    if ((r % 2 == 0) == (half == 0))
                    {
                        final long t0 = System.nanoTime();
                        final long seq = db.checkpointNow();
                        ck = (System.nanoTime() - t0) / 1e9;
                        bytes = Files.size(dir.resolve("checkpoints").resolve(String.format("checkpoint-%020d.img", seq)));
                    }
                    else
                    {
                        final long size = bytes > 0 ? bytes : imageBytes(dir);
                        raw = rawWrite(dir.resolve("raw-" + r + ".bin"), size, chunk);
                        if (bytes == 0)
                        {
                            bytes = size;
                        }
                    }
                }
                final double ckRate = bytes / ck / 1e6;
                final double rawRate = bytes / raw / 1e6;
                System.out.printf(Locale.ROOT, "  round %d: image %,d bytes: checkpointNow %.0f ms = %.0f MB/s; raw write + fsync %.0f ms = %.0f MB/s; ratio %.2f%n",
                    r, bytes, ck * 1000, ckRate, raw * 1000, rawRate, ckRate / rawRate);
                if (r > 0)
                {
                    ckRates.add(ckRate);
                    rawRates.add(rawRate);
                    ratios.add(ckRate / rawRate);
                    ckMillis.add(ck * 1000);
                }
            }
            System.out.printf(Locale.ROOT, "medians over %d rounds: checkpointNow %.0f ms, %.0f MB/s; raw %.0f MB/s; ratio %.2f [%.2f .. %.2f]%n",
                rounds, median(ckMillis), median(ckRates), median(rawRates), median(ratios), min(ratios), max(ratios));
        }
        finally
        {
            BenchData.deleteRecursively(dir);
        }
    }

    private static long imageBytes(final Path dir) throws IOException
    {
        try (Stream<Path> s = Files.list(dir.resolve("checkpoints")))
        {
            return s.filter(p -> p.getFileName().toString().endsWith(".img")).mapToLong(p ->
            {
                try
                {
                    return Files.size(p);
                }
                catch (final IOException ex)
                {
                    throw new UncheckedIOException(ex);
                }
            }).max().orElseThrow();
        }
    }

    /** @return seconds to create {@code file}, write {@code bytes} sequentially and force it; the file is deleted after. */
    private static double rawWrite(final Path file, final long bytes, final ByteBuffer chunk) throws IOException
    {
        final long t0 = System.nanoTime();
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE))
        {
            long written = 0;
            while (written < bytes)
            {
                final ByteBuffer b = chunk.duplicate().clear();
                b.limit((int)Math.min(b.capacity(), bytes - written));
                while (b.hasRemaining())
                {
                    written += ch.write(b, written);
                }
            }
            ch.force(true);
        }
        final double seconds = (System.nanoTime() - t0) / 1e9;
        Files.delete(file);
        return seconds;
    }

    // ---------------------------------------------------------------- disk use

    /**
     * Per engine: a fresh store loaded with {@code keys} keys (random order), flushed ({@link Engine#flush()}), closed;
     * aedb ({@code aedb}: checkpointsKept=2, the default; {@code aedb-kept1}: 1) also {@code checkpointNow()} before the
     * close (measured open too, with its arena segments) and, after a reopen and 1,000 updates, a second close (whose
     * checkpoint holds the same keys: two full images with kept=2). Bytes from {@code du} (allocated) and apparent sizes,
     * per top-level entry of the data directory.
     */
    static void diskUse(final int keys, final List<String> engines) throws Exception
    {
        final double raw = keys * (double)(BenchData.KEY_BYTES + BenchData.VALUE_BYTES);
        System.out.printf(Locale.ROOT, "%ndisk use, %,d keys x (16 + 100) bytes = %,.0f bytes raw (%.1f MiB)%n", keys, raw,
            raw / (1 << 20));
        for (final String name : engines)
        {
            final boolean aedb = name.startsWith(Engine.AEDB);
            final int kept = name.equals("aedb-kept1") ? 1 : 2;
            final Path dir = BenchData.tempDir("disk-use-" + name);
            try
            {
                final Engine engine = aedb ? new AedbEngine(c -> c.checkpointsKept(kept)) : Engine.create(name);
                engine.open(dir, Engine.SyncMode.BUFFERED, LoadedStore.capacity(keys));
                final long t0 = System.nanoTime();
                engine.load(keys);
                final long loadMillis = (System.nanoTime() - t0) / 1_000_000;
                if (aedb)
                {
                    final AedbInstance db = ((AedbEngine)engine).db();
                    final long c0 = System.nanoTime();
                    db.checkpointNow();
                    System.out.printf(Locale.ROOT, "%n%s (checkpointsKept=%d): loaded in %,d ms, checkpointNow %,d ms%n", name,
                        kept, loadMillis, (System.nanoTime() - c0) / 1_000_000);
                    report(name + ", open, after load + checkpointNow", dir, raw);
                    engine.close();
                    report(name + ", closed (close had nothing new to checkpoint)", dir, raw);
                    engine.open(dir, Engine.SyncMode.BUFFERED, LoadedStore.capacity(keys));
                    try (Engine.Session s = engine.session())
                    {
                        for (int i = 0; i < 1000; i++)
                        {
                            s.put(BenchData.key(i * 997L % keys), BenchData.value(i * 997L % keys));
                        }
                    }
                    engine.close();
                    report(name + ", closed again after reopen + 1,000 updates (a second full checkpoint at close)", dir, raw);
                }
                else
                {
                    System.out.printf(Locale.ROOT, "%n%s: loaded and flushed in %,d ms%n", name, loadMillis);
                    engine.close();
                    report(name + ", closed", dir, raw);
                }
            }
            finally
            {
                BenchData.deleteRecursively(dir);
            }
        }
    }

    private static void report(final String what, final Path dir, final double raw) throws IOException
    {
        final long allocated = duBytes(dir, false);
        final long apparent = duBytes(dir, true);
        System.out.printf(Locale.ROOT, "  %s: %,d bytes allocated (%.1f MiB, %.2f x raw), %,d apparent (%.1f MiB)%n", what,
            allocated, allocated / 1048576.0, allocated / raw, apparent, apparent / 1048576.0);
        try (Stream<Path> entries = Files.list(dir))
        {
            for (final Path p : (Iterable<Path>)entries.sorted()::iterator)
            {
                System.out.printf(Locale.ROOT, "      %-28s %,15d allocated %,15d apparent%s%n", p.getFileName() + (Files.isDirectory(p) ? "/" : ""),
                    duBytes(p, false), duBytes(p, true), Files.isDirectory(p) ? "  " + listing(p) : "");
            }
        }
    }

    private static String listing(final Path dir) throws IOException
    {
        try (Stream<Path> s = Files.list(dir))
        {
            final List<String> names = new ArrayList<>();
            for (final Path p : (Iterable<Path>)s.sorted()::iterator)
            {
                names.add(p.getFileName() + " " + String.format(Locale.ROOT, "%.1fM", duBytes(p, false) / 1048576.0));
            }
            return names.size() > 8 ? names.size() + " files" : String.join(", ", names);
        }
    }

    /** @return {@code du -s -B1} (allocated blocks) or with {@code --apparent-size}, of {@code path}. */
    static long duBytes(final Path path, final boolean apparent)
    {
        final List<String> command = new ArrayList<>(List.of("du", "-s", "-B1"));
        if (apparent)
        {
            command.add("--apparent-size");
        }
        command.add(path.toString());
        try
        {
            final Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
            final String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
            if (p.waitFor() != 0)
            {
                throw new IllegalStateException(command + ": " + out);
            }
            return Long.parseLong(out.split("\\s+")[0]);
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException(ex);
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(ex);
        }
    }

    private static String du(final Path dir)
    {
        return String.format(Locale.ROOT, "(%.1f MiB allocated: %s)", duBytes(dir, false) / 1048576.0, topLevel(dir));
    }

    private static String topLevel(final Path dir)
    {
        try (Stream<Path> s = Files.list(dir))
        {
            final List<String> parts = new ArrayList<>();
            for (final Path p : (Iterable<Path>)s.sorted()::iterator)
            {
                parts.add(p.getFileName() + " " + String.format(Locale.ROOT, "%.1fM", duBytes(p, false) / 1048576.0));
            }
            return String.join(", ", parts);
        }
        catch (final IOException ex)
        {
            return ex.toString();
        }
    }

    private static String images(final Path dir)
    {
        final Path c = dir.resolve("checkpoints");
        if (!Files.isDirectory(c))
        {
            return "(none)";
        }
        try (Stream<Path> s = Files.list(c))
        {
            final List<String> parts = new ArrayList<>();
            for (final Path p : (Iterable<Path>)s.sorted()::iterator)
            {
                parts.add(p.getFileName() + " " + String.format(Locale.ROOT, "%,d B", Files.size(p)));
            }
            return String.join(", ", parts);
        }
        catch (final IOException ex)
        {
            return ex.toString();
        }
    }

    // ---------------------------------------------------------------- shared

    /** aedb's configuration as {@link AedbEngine} opens it. */
    static AedbConfig config(final Durability durability)
    {
        return new AedbEngine().config(durability);
    }

    /** Loads keys {@code 0..count-1} in {@link BenchData#insertionOrder random order}, envelopes of 1,000 KvSets. */
    static void load(final AedbInstance db, final int count)
    {
        final int[] order = BenchData.insertionOrder(count, BenchData.InsertOrder.RANDOM);
        final List<Mutation> batch = new ArrayList<>(1000);
        for (int base = 0; base < count; base += 1000)
        {
            batch.clear();
            for (int i = base; i < Math.min(count, base + 1000); i++)
            {
                batch.add(new Mutation.KvSet(PROJECT, SCOPE, BenchData.key(order[i]), BenchData.value(order[i])));
            }
            final CommitResult r = db.commit(TransactionEnvelope.of(batch));
            if (r.commitSeq() <= 0)
            {
                throw new IllegalStateException("load commit " + r);
            }
        }
    }

    private static void expect(final int length, final String what)
    {
        if (length != BenchData.VALUE_BYTES)
        {
            throw new IllegalStateException(what + " returned length " + length);
        }
    }

    private static void add(final Map<String, List<Double>> ms, final String what, final long nanos)
    {
        add(ms, what, nanos / 1e6);
    }

    private static void add(final Map<String, List<Double>> ms, final String what, final double millis)
    {
        ms.computeIfAbsent(what, k -> new ArrayList<>()).add(millis);
    }

    static double median(final List<Double> v)
    {
        final double[] s = v.stream().mapToDouble(Double::doubleValue).sorted().toArray();
        final int n = s.length;
        return n == 0 ? Double.NaN : n % 2 == 1 ? s[n / 2] : (s[n / 2 - 1] + s[n / 2]) / 2;
    }

    private static double min(final List<Double> v)
    {
        return v.stream().mapToDouble(Double::doubleValue).min().orElse(Double.NaN);
    }

    private static double max(final List<Double> v)
    {
        return v.stream().mapToDouble(Double::doubleValue).max().orElse(Double.NaN);
    }

    private static Map<String, String> fields(final String line)
    {
        final Map<String, String> out = new LinkedHashMap<>();
        for (final String part : line.split(" "))
        {
            final int eq = part.indexOf('=');
            if (eq > 0)
            {
                out.put(part.substring(0, eq), part.substring(eq + 1));
            }
        }
        return out;
    }

    private static String awaitLine(final BufferedReader out, final String prefix, final Process p, final Path log)
        throws IOException
    {
        for (String line; (line = out.readLine()) != null; )
        {
            if (line.startsWith(prefix))
            {
                return line;
            }
            System.out.println("  child: " + line);
        }
        throw new IllegalStateException("child ended (alive=" + p.isAlive() + ") before " + prefix + ":\n" + Files.readString(log));
    }

    private static void copyTree(final Path from, final Path to) throws IOException
    {
        try (Stream<Path> s = Files.walk(from))
        {
            for (final Path p : (Iterable<Path>)s::iterator)
            {
                final Path target = to.resolve(from.relativize(p).toString());
                if (Files.isDirectory(p))
                {
                    Files.createDirectories(target);
                }
                else
                {
                    Files.copy(p, target, StandardCopyOption.COPY_ATTRIBUTES);
                }
            }
        }
    }

    private static Process child(final String command, final Path stderr, final String... args) throws IOException
    {
        final List<String> cmd = javaCommand(CheckpointHarness.class, "-Xmx2g");
        cmd.add(command);
        cmd.addAll(List.of(args));
        final ProcessBuilder pb = new ProcessBuilder(cmd);
        pb.environment().remove("JDK_JAVA_OPTIONS");
        pb.environment().remove("JAVA_TOOL_OPTIONS");
        pb.environment().remove("_JAVA_OPTIONS");
        pb.redirectError(ProcessBuilder.Redirect.appendTo(stderr.toFile()));
        return pb.start();
    }

    /** @return java, the engine's and the peers' JVM flags, the Chronicle properties, {@code heap}, the class path, main. */
    static List<String> javaCommand(final Class<?> main, final String heap)
    {
        final List<String> command = new ArrayList<>();
        command.add(ProcessHandle.current().info().command().orElse(System.getProperty("java.home") + "/bin/java"));
        command.addAll(JvmFlags.required());
        command.addAll(BenchMain.PEER_FLAGS);
        command.addAll(BenchMain.CHRONICLE_PROPS);
        command.add(heap);
        command.add("-cp");
        command.add(System.getProperty("java.class.path"));
        command.add(main.getName());
        return command;
    }

    static int relaunch(final Class<?> main, final String heap, final String[] args) throws IOException, InterruptedException
    {
        final List<String> command = javaCommand(main, heap);
        command.addAll(List.of(args));
        return new ProcessBuilder(command).inheritIO().start().waitFor();
    }

    private static String arg(final String[] args, final int i, final String fallback)
    {
        return args.length > i ? args[i] : fallback;
    }

    private static int intArg(final String[] args, final int i, final int fallback)
    {
        return args.length > i ? Integer.parseInt(args[i].replace("_", "")) : fallback;
    }

    private static List<Integer> intList(final String[] args, final int i, final String fallback)
    {
        return Arrays.stream(arg(args, i, fallback).split(",")).map(s -> Integer.parseInt(s.replace("_", ""))).toList();
    }
}
