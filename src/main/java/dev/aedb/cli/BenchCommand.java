package dev.aedb.cli;

import dev.aedb.AedbConfig;
import dev.aedb.AedbInstance;
import dev.aedb.Durability;
import dev.aedb.KvHandle;
import dev.aedb.KvVisitor;
import dev.aedb.commit.Mutation;
import dev.aedb.commit.TransactionEnvelope;

import org.HdrHistogram.Histogram;
import org.HdrHistogram.HistogramLogWriter;
import org.HdrHistogram.Recorder;
import org.agrona.DirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;

import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;
import java.util.concurrent.Callable;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;
import java.util.stream.Stream;

/**
 * {@code aedb bench}: an HdrHistogram latency harness for aedb alone. Preloads {@code --keys} KV pairs, then runs
 * {@code --threads} workers for {@code --warmup} + {@code --duration} seconds, each picking commit / get / scan by
 * {@code --mix}. With {@code --rate} every worker follows a fixed schedule and latency is measured from the
 * intended start (coordinated-omission corrected; the service time is recorded too); without it the workers run
 * closed-loop. Prints percentiles and throughput, writes an {@code .hlog} of one-second interval histograms and an
 * SVG percentile plot.
 */
@Command(name = "bench", description = "Latency benchmark of aedb alone: percentiles, .hlog and an SVG percentile plot.")
public final class BenchCommand implements Callable<Integer>
{
    static final String PROJECT = "bench";
    static final String SCOPE = "app";
    static final int KEY_LENGTH = 16;
    static final long KEY_PREFIX = 0x616564622d62656eL; // "aedb-ben"
    static final String[] OPS = {"commit", "get", "scan"};

    @Spec
    private CommandSpec spec;

    @Option(names = "--data-dir", description = "data directory (default: a new temporary directory, deleted at the end)")
    private Path dataDir;

    @Option(names = "--keep", description = "keep the data directory")
    private boolean keep;

    @Option(names = "--keys", defaultValue = "100000", description = "KV pairs loaded before measuring (default: ${DEFAULT-VALUE})")
    private int keys;

    @Option(names = "--value-size", defaultValue = "100", description = "value bytes (default: ${DEFAULT-VALUE})")
    private int valueSize;

    @Option(names = "--mix", defaultValue = "commit=20,get=70,scan=10",
        description = "percent of each operation, summing to 100 (default: ${DEFAULT-VALUE})")
    private String mix;

    @Option(names = "--scan-length", defaultValue = "100", description = "entries per scan (default: ${DEFAULT-VALUE})")
    private int scanLength;

    @Option(names = "--durability", defaultValue = "FULL", description = "FULL, BATCH or OS_BUFFERED (default: ${DEFAULT-VALUE})")
    private Durability durability;

    @Option(names = "--threads", defaultValue = "1", description = "worker threads (default: ${DEFAULT-VALUE})")
    private int threads;

    @Option(names = "--rate", description = "target ops/s over all threads; latency measured from each op's intended start")
    private Double rate;

    @Option(names = "--warmup", defaultValue = "1", description = "seconds run before recording (default: ${DEFAULT-VALUE})")
    private double warmup;

    @Option(names = "--duration", defaultValue = "10", description = "seconds recorded (default: ${DEFAULT-VALUE})")
    private double duration;

    @Option(names = "--seed", description = "random seed of the workers (default: time based, printed)")
    private Long seed;

    @Option(names = "--hlog", defaultValue = "aedb-bench.hlog", description = "HdrHistogram log output (default: ${DEFAULT-VALUE})")
    private Path hlog;

    @Option(names = "--plot", defaultValue = "aedb-bench.svg", description = "SVG percentile plot output (default: ${DEFAULT-VALUE})")
    private Path plot;

    private int[] mixPercent;

    @Override
    public Integer call() throws Exception
    {
        validate();
        final long runSeed = seed != null ? seed : System.nanoTime();
        final PrintStream out = System.out;
        final Path dir = dataDir != null ? dataDir : Files.createTempDirectory("aedb-bench-");
        final String config = String.format(Locale.ROOT,
            "keys=%d value=%dB mix=commit:%d,get:%d,scan:%d scan-length=%d durability=%s threads=%d %s warmup=%ss duration=%ss seed=%d",
            keys, valueSize, mixPercent[0], mixPercent[1], mixPercent[2], scanLength, durability, threads,
            rate == null ? "closed-loop (no --rate: latency = service time, not corrected for coordinated omission)"
                : String.format(Locale.ROOT, "rate=%.0f ops/s (latency from intended start)", rate),
            fmt(warmup), fmt(duration), runSeed);
        out.println("aedb bench: " + config);
        out.println("data directory: " + dir);
        try (AedbInstance db = AedbInstance.open(new AedbConfig().durability(durability).storeSegmentBytes(64 << 20)
            .maxValueBytes(Math.max(valueSize, 1 << 20)), dir))
        {
            load(db, out);
            final Result result = run(db, runSeed, config, out);
            report(result, out);
            out.printf(Locale.ROOT, "head: visible seq %d, durable seq %d%n", db.headState().visibleHeadSeq(),
                db.headState().durableHeadSeq());
            Files.writeString(plot, PercentilePlot.svg("aedb bench: " + config, result.totals, rate == null ? null : result.serviceTotals));
            out.println("wrote " + hlog + " and " + plot);
            return 0;
        }
        finally
        {
            if (!keep && dataDir == null)
            {
                deleteTree(dir);
            }
        }
    }

    private void validate()
    {
        mixPercent = new int[3];
        int sum = 0;
        for (final String part : mix.split(","))
        {
            final String[] kv = part.trim().split("=");
            int index = -1;
            for (int i = 0; i < OPS.length; i++)
            {
                if (kv.length == 2 && OPS[i].equals(kv[0].trim()))
                {
                    index = i;
                }
            }
            final int pct;
            try
            {
                pct = index < 0 ? -1 : Integer.parseInt(kv[1].trim());
            }
            catch (final NumberFormatException ex)
            {
                throw bad("--mix: '" + part + "' is not name=percent");
            }
            if (index < 0 || pct < 0)
            {
                throw bad("--mix: '" + part + "' is not one of commit=N, get=N, scan=N with N >= 0");
            }
            mixPercent[index] = pct;
            sum += pct;
        }
        if (sum != 100)
        {
            throw bad("--mix must sum to 100, got " + sum + " (" + mix + ")");
        }
        if (keys < 1)
        {
            throw bad("--keys must be at least 1, got " + keys);
        }
        if (valueSize < 1 || valueSize > 1 << 20)
        {
            throw bad("--value-size must be 1.." + (1 << 20) + " bytes (the engine's value limit), got " + valueSize);
        }
        if (scanLength < 1)
        {
            throw bad("--scan-length must be at least 1, got " + scanLength);
        }
        if (threads < 1 || threads > 256)
        {
            throw bad("--threads must be 1..256, got " + threads);
        }
        if (rate != null && !(rate > 0))
        {
            throw bad("--rate must be > 0 ops/s, got " + rate);
        }
        if (!(duration > 0) || warmup < 0)
        {
            throw bad("--duration must be > 0 and --warmup >= 0 seconds");
        }
    }

    private ParameterException bad(final String message)
    {
        return new ParameterException(spec.commandLine(), message);
    }

    static void key(final UnsafeBuffer buffer, final long index)
    {
        buffer.putLong(0, KEY_PREFIX, java.nio.ByteOrder.BIG_ENDIAN);
        buffer.putLong(8, index, java.nio.ByteOrder.BIG_ENDIAN);
    }

    /** The value of key {@code index}: deterministic, so every get can be checked. */
    static byte valueByte(final long index, final int position)
    {
        return (byte)(index * 31 + position * 7);
    }

    private byte[] value(final long index)
    {
        final byte[] v = new byte[valueSize];
        for (int i = 0; i < v.length; i++)
        {
            v[i] = valueByte(index, i);
        }
        return v;
    }

    private void load(final AedbInstance db, final PrintStream out)
    {
        db.createProject(PROJECT);
        final long start = System.nanoTime();
        final int perEnvelope = Math.max(1, Math.min(1000, (4 << 20) / (valueSize + 64)));
        final UnsafeBuffer k = new UnsafeBuffer(new byte[KEY_LENGTH]);
        final List<Mutation> batch = new ArrayList<>(perEnvelope);
        for (long i = 0; i < keys; i++)
        {
            key(k, i);
            batch.add(new Mutation.KvSet(PROJECT, SCOPE, k.byteArray().clone(), value(i)));
            if (batch.size() == perEnvelope || i == keys - 1)
            {
                db.commit(TransactionEnvelope.of(batch));
                batch.clear();
            }
        }
        db.sync();
        out.printf(Locale.ROOT, "loaded %d keys in %.2f s%n", keys, (System.nanoTime() - start) / 1e9);
    }

    /** Per-run recorders: corrected latency and service time, one of each per op type. */
    private static final class Recorders
    {
        final Recorder[] latency = new Recorder[OPS.length];
        final Recorder[] service = new Recorder[OPS.length];

        Recorders()
        {
            for (int i = 0; i < OPS.length; i++)
            {
                latency[i] = new Recorder(3);
                service[i] = new Recorder(3);
            }
        }
    }

    record Result(Histogram[] totals, Histogram[] serviceTotals, double seconds)
    {
    }

    private Result run(final AedbInstance db, final long runSeed, final String config, final PrintStream out) throws Exception
    {
        final Recorders recorders = new Recorders();
        final AtomicReference<Throwable> failure = new AtomicReference<>();
        final long warmupNanos = (long)(warmup * 1e9);
        final long durationNanos = (long)(duration * 1e9);
        final long startNanos = System.nanoTime();
        final long endNanos = startNanos + warmupNanos + durationNanos;
        final List<Thread> workers = new ArrayList<>();
        for (int t = 0; t < threads; t++)
        {
            final Worker worker = new Worker(db, new SplittableRandom(runSeed + t * 0x9E3779B97F4A7C15L), recorders, startNanos, endNanos,
                rate == null ? 0 : (long)(1e9 * threads / rate));
            final Thread thread = new Thread(() ->
            {
                try
                {
                    worker.run();
                }
                catch (final Throwable ex)
                {
                    failure.compareAndSet(null, ex);
                }
            }, "aedb-bench-" + t);
            thread.setDaemon(true);
            workers.add(thread);
            thread.start();
        }

        final Histogram[] totals = new Histogram[OPS.length];
        final Histogram[] serviceTotals = new Histogram[OPS.length];
        for (int i = 0; i < OPS.length; i++)
        {
            totals[i] = new Histogram(3);
            serviceTotals[i] = new Histogram(3);
        }
        final boolean tty = System.console() != null;
        final Histogram[] interval = new Histogram[OPS.length];
        final Histogram[] intervalService = new Histogram[OPS.length];
        try (PrintStream hlogOut = new PrintStream(Files.newOutputStream(hlog), false, "UTF-8"))
        {
            final HistogramLogWriter writer = new HistogramLogWriter(hlogOut);
            writer.outputComment("aedb bench: " + config);
            writer.outputLogFormatVersion();
            writer.outputStartTime(System.currentTimeMillis());
            writer.setBaseTime(System.currentTimeMillis());
            writer.outputLegend();
            boolean measuring = warmupNanos == 0;
            long measureStart = startNanos;
            if (!measuring)
            {
                // nothing recorded so far counts
                for (int i = 0; i < OPS.length; i++)
                {
                    interval[i] = recorders.latency[i].getIntervalHistogram(interval[i]);
                    intervalService[i] = recorders.service[i].getIntervalHistogram(intervalService[i]);
                }
            }
            long nextTick = startNanos + 1_000_000_000L;
            boolean done = false;
            while (!done)
            {
                final long now = System.nanoTime();
                final long wake = Math.min(nextTick, endNanos);
                if (now < wake && failure.get() == null)
                {
                    LockSupport.parkNanos(wake - now);
                    continue;
                }
                done = now >= endNanos || failure.get() != null;
                nextTick += 1_000_000_000L;
                if (!measuring && now >= startNanos + warmupNanos)
                {
                    for (int i = 0; i < OPS.length; i++) // drop the warm-up
                    {
                        interval[i] = recorders.latency[i].getIntervalHistogram(interval[i]);
                        intervalService[i] = recorders.service[i].getIntervalHistogram(intervalService[i]);
                    }
                    measuring = true;
                    measureStart = now;
                    progress(out, tty, now - startNanos, warmupNanos + durationNanos, 0, 0, 0, "warm-up done");
                    continue;
                }
                if (!measuring)
                {
                    progress(out, tty, now - startNanos, warmupNanos + durationNanos, 0, 0, 0, "warming up");
                    continue;
                }
                if (done)
                {
                    for (final Thread w : workers)
                    {
                        w.join(); // they stop at endNanos; whatever they recorded until then goes in the last interval
                    }
                }
                long count = 0;
                final Histogram all = new Histogram(3);
                for (int i = 0; i < OPS.length; i++)
                {
                    interval[i] = recorders.latency[i].getIntervalHistogram(interval[i]);
                    intervalService[i] = recorders.service[i].getIntervalHistogram(intervalService[i]);
                    if (interval[i].getTotalCount() > 0)
                    {
                        interval[i].setTag(OPS[i]);
                        writer.outputIntervalHistogram(interval[i]);
                        if (rate != null)
                        {
                            intervalService[i].setTag(OPS[i] + "-service");
                            writer.outputIntervalHistogram(intervalService[i]);
                        }
                    }
                    totals[i].add(interval[i]);
                    serviceTotals[i].add(intervalService[i]);
                    all.add(interval[i]);
                    count += interval[i].getTotalCount();
                }
                long total = 0;
                for (final Histogram h : totals)
                {
                    total += h.getTotalCount();
                }
                final double intervalSeconds = Math.max(1e-9, (interval[0].getEndTimeStamp() - interval[0].getStartTimeStamp()) / 1000.0);
                progress(out, tty, now - startNanos, warmupNanos + durationNanos, total, count / intervalSeconds,
                    all.getTotalCount() == 0 ? 0 : all.getValueAtPercentile(99) / 1000.0, "measuring");
            }
            if (tty)
            {
                System.err.println();
            }
            for (final Thread w : workers)
            {
                w.join();
            }
            final Throwable f = failure.get();
            if (f != null)
            {
                throw new IllegalStateException("benchmark worker failed: " + f, f);
            }
            return new Result(totals, serviceTotals, (System.nanoTime() - measureStart) / 1e9);
        }
    }

    private static void progress(final PrintStream out, final boolean tty, final long elapsedNanos, final long totalNanos, final long ops,
        final double opsPerSecond, final double p99Micros, final String phase)
    {
        final String line = String.format(Locale.ROOT, "[%5.1f/%.1f s] %-12s ops=%,d  now=%,.0f ops/s  p99=%.1f us", elapsedNanos / 1e9,
            totalNanos / 1e9, phase, ops, opsPerSecond, p99Micros);
        if (tty)
        {
            System.err.print("\r" + line + "   ");
        }
        else
        {
            System.err.println(line);
        }
    }

    private void report(final Result result, final PrintStream out)
    {
        out.println();
        out.printf(Locale.ROOT, "%-16s %10s %12s %10s %10s %10s %10s %10s %10s%n", "op (us)", "count", "ops/s", "p50", "p90", "p99",
            "p99.9", "p99.99", "max");
        final Histogram all = new Histogram(3);
        for (int i = 0; i < OPS.length; i++)
        {
            row(out, OPS[i], result.totals[i], result.seconds);
            all.add(result.totals[i]);
        }
        row(out, "all", all, result.seconds);
        if (rate != null)
        {
            out.println("service time (from actual start, not corrected):");
            for (int i = 0; i < OPS.length; i++)
            {
                row(out, OPS[i] + "-service", result.serviceTotals[i], result.seconds);
            }
        }
    }

    private static void row(final PrintStream out, final String name, final Histogram h, final double seconds)
    {
        if (h.getTotalCount() == 0)
        {
            out.printf(Locale.ROOT, "%-16s %10d %12s%n", name, 0, "-");
            return;
        }
        out.printf(Locale.ROOT, "%-16s %10d %12.0f %10.1f %10.1f %10.1f %10.1f %10.1f %10.1f%n", name, h.getTotalCount(),
            h.getTotalCount() / seconds, us(h, 50), us(h, 90), us(h, 99), us(h, 99.9), us(h, 99.99), h.getMaxValue() / 1000.0);
    }

    private static double us(final Histogram h, final double percentile)
    {
        return h.getValueAtPercentile(percentile) / 1000.0;
    }

    private static String fmt(final double d)
    {
        return d == Math.rint(d) ? Long.toString((long)d) : Double.toString(d);
    }

    private static void deleteTree(final Path dir)
    {
        try (Stream<Path> paths = Files.walk(dir))
        {
            for (final Path p : (Iterable<Path>)paths.sorted(Comparator.reverseOrder())::iterator)
            {
                Files.deleteIfExists(p);
            }
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException("cannot delete " + dir, ex);
        }
    }

    /** One worker thread: zero-allocation gets and scans through a {@link KvHandle}, single-KvSet commits. */
    private final class Worker implements KvVisitor
    {
        private final AedbInstance db;
        private final KvHandle kv;
        private final SplittableRandom random;
        private final Recorders recorders;
        private final long startNanos;
        private final long endNanos;
        private final long periodNanos;
        private final UnsafeBuffer key = new UnsafeBuffer(new byte[KEY_LENGTH]);
        private final UnsafeBuffer dst = new UnsafeBuffer(new byte[Math.max(valueSize, 16)]);
        private final byte[][] values = new byte[256][];
        private int visited;

        Worker(final AedbInstance db, final SplittableRandom random, final Recorders recorders, final long startNanos, final long endNanos,
            final long periodNanos)
        {
            this.db = db;
            this.kv = db.kvHandle(PROJECT, SCOPE);
            this.random = random;
            this.recorders = recorders;
            this.startNanos = startNanos;
            this.endNanos = endNanos;
            this.periodNanos = periodNanos;
        }

        void run()
        {
            long intended = startNanos;
            while (true)
            {
                long now = System.nanoTime();
                if (periodNanos > 0)
                {
                    while (now < intended)
                    {
                        LockSupport.parkNanos(intended - now);
                        now = System.nanoTime();
                    }
                }
                else
                {
                    intended = now;
                }
                if (intended >= endNanos || now >= endNanos)
                {
                    return;
                }
                final int pick = random.nextInt(100);
                final int op = pick < mixPercent[0] ? 0 : pick < mixPercent[0] + mixPercent[1] ? 1 : 2;
                final long index = random.nextLong(keys);
                final long start = System.nanoTime();
                switch (op)
                {
                    case 0 -> commit(index);
                    case 1 -> get(index);
                    default -> scan(index);
                }
                final long end = System.nanoTime();
                recorders.latency[op].recordValue(end - intended);
                recorders.service[op].recordValue(end - start);
                intended += periodNanos;
            }
        }

        /** Rewrites key {@code index} with its own deterministic value, so every get stays checkable. */
        private void commit(final long index)
        {
            key(key, index);
            final int slot = (int)(index & 255);
            byte[] v = values[slot];
            if (v == null || v[0] != valueByte(index, 0) || v.length > 1 && v[1] != valueByte(index, 1))
            {
                v = value(index);
                values[slot] = v;
            }
            db.commit(new Mutation.KvSet(PROJECT, SCOPE, key.byteArray().clone(), v));
        }

        private void get(final long index)
        {
            key(key, index);
            final int length = kv.get(key, 0, KEY_LENGTH, dst, 0);
            if (length != valueSize)
            {
                throw new IllegalStateException("get of loaded key " + index + " returned length " + length + ", expected " + valueSize);
            }
            if (dst.getByte(0) != valueByte(index, 0) || dst.getByte(length - 1) != valueByte(index, length - 1))
            {
                throw new IllegalStateException("get of key " + index + " returned the wrong bytes");
            }
        }

        private void scan(final long index)
        {
            key(key, index);
            visited = 0;
            final int n = kv.scan(key, 0, KEY_LENGTH, scanLength, this);
            final long expected = Math.min(scanLength, keys - index);
            if (n != expected || visited != expected)
            {
                throw new IllegalStateException("scan from key " + index + " visited " + n + " entries, expected " + expected);
            }
        }

        @Override
        public boolean visit(final DirectBuffer k, final int keyOffset, final int keyLength, final DirectBuffer value, final int valueOffset,
            final int valueLength, final long version)
        {
            if (keyLength != KEY_LENGTH || valueLength != valueSize)
            {
                throw new IllegalStateException("scan saw a " + keyLength + "-byte key / " + valueLength + "-byte value");
            }
            visited++;
            return true;
        }
    }
}
