package dev.aedb.cli;

import dev.aedb.AedbConfig;
import dev.aedb.AedbInstance;
import dev.aedb.HeadState;
import dev.aedb.KvHandle;
import dev.aedb.model.CommitResult;
import dev.aedb.model.Durability;
import dev.aedb.model.Mutation;
import dev.aedb.model.TransactionEnvelope;

import org.HdrHistogram.Histogram;
import org.HdrHistogram.HistogramLogWriter;
import org.agrona.concurrent.UnsafeBuffer;

import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.locks.LockSupport;

/**
 * {@code aedb bench}: an HdrHistogram latency harness for aedb alone. Preloads {@code --keys} keys, then runs a mix
 * of commits, gets and scans from {@code --threads} threads, either closed loop (as fast as possible) or open loop on
 * a fixed schedule ({@code --rate}, latency measured from each op's intended start, corrected for coordinated
 * omission). Prints a percentile table, writes an HdrHistogram interval log and draws a percentile plot (SVG).
 */
@Command(name = "bench", sortOptions = false, mixinStandardHelpOptions = true,
    description = {"Latency of aedb alone under a mix of commits, gets and scans (HdrHistogram).",
        "Commits are single-KvSet envelopes: updates of random loaded keys (default) or inserts of new keys.",
        "Gets and scans use KvHandle into per-thread reused buffers; every get and scan is checked against the loaded data."})
final class BenchCommand implements Callable<Integer>
{
    private static final long SECOND = 1_000_000_000L;
    private static final String[] COLORS = {"#d62728", "#1f77b4", "#2ca02c"};

    /** What a commit writes. */
    enum CommitKind
    {
        /** KvSet of a random loaded key, rewriting its own value (a new version; the key count stays the same). */
        update,
        /** KvSet of a new key past the loaded ones (the store grows; gets and scans still read loaded keys only). */
        insert
    }

    /** The order the preload inserts keys in. */
    enum InsertOrder
    {
        /** A seeded permutation of 0..N-1, as real workloads insert (the default). */
        random,
        /** Keys 0..N-1 in key order (every skip-list record then lies next to its neighbour in memory). */
        sequential
    }

    @Spec
    private CommandSpec spec;

    @Option(names = "--mix", converter = BenchMix.Converter.class, defaultValue = "commit=20,get=70,scan=10", paramLabel = "OP=PCT,...",
        description = "percent of commit, get and scan ops, summing to 100 (default: ${DEFAULT-VALUE})")
    private BenchMix mix;

    @Option(names = "--keys", defaultValue = "100000", paramLabel = "N",
        description = "keys preloaded before measuring: 16-byte keys 0..N-1 (default: ${DEFAULT-VALUE})")
    private int keys;

    @Option(names = "--insert-order", defaultValue = "random", paramLabel = "ORDER",
        description = "random: preload the keys in a seeded random order, as applications insert; sequential: in key "
            + "order (default: ${DEFAULT-VALUE})")
    private InsertOrder insertOrder;

    @Option(names = "--seed", defaultValue = "1", paramLabel = "N",
        description = "seed of the random insert order, printed with the run (default: ${DEFAULT-VALUE})")
    private long seed;

    @Option(names = "--value-size", defaultValue = "100", paramLabel = "BYTES",
        description = "value size, 1..the engine's maxValueBytes (default: ${DEFAULT-VALUE})")
    private int valueSize;

    @Option(names = "--durability", defaultValue = "FULL", paramLabel = "MODE",
        description = "FULL, BATCH or OS_BUFFERED (default: ${DEFAULT-VALUE})")
    private Durability durability;

    @Option(names = "--threads", defaultValue = "2", paramLabel = "N",
        description = "worker threads, each running the mix (default: ${DEFAULT-VALUE})")
    private int threads;

    @Option(names = "--scan-length", defaultValue = "100", paramLabel = "N",
        description = "entries per scan (default: ${DEFAULT-VALUE})")
    private int scanLength;

    @Option(names = "--commit-kind", defaultValue = "update", paramLabel = "KIND",
        description = "update: rewrite a random loaded key; insert: add a new key (default: ${DEFAULT-VALUE})")
    private CommitKind commitKind;

    @Option(names = "--rate", paramLabel = "OPS_PER_S",
        description = "target ops/s over all threads: open loop, latency from each op's intended start "
            + "(corrected for coordinated omission). Without it: closed loop, as fast as possible")
    private Double rate;

    @Option(names = "--warmup", defaultValue = "2", paramLabel = "SECONDS",
        description = "seconds run before measuring, not recorded (default: ${DEFAULT-VALUE})")
    private int warmup;

    @Option(names = "--duration", defaultValue = "10", paramLabel = "SECONDS",
        description = "seconds measured (default: ${DEFAULT-VALUE})")
    private int duration;

    @Option(names = "--data-dir", paramLabel = "DIR",
        description = "empty or new data directory, kept afterwards (default: a new temp directory, deleted unless --keep)")
    private Path dataDir;

    @Option(names = "--keep", description = "keep the temp data directory")
    private boolean keep;

    @Option(names = "--out-dir", defaultValue = ".", paramLabel = "DIR",
        description = "directory for the default .hlog and .svg (default: the current directory)")
    private Path outDir;

    @Option(names = "--hlog", paramLabel = "FILE",
        description = "HdrHistogram interval log, one histogram per op type per second (default: OUT-DIR/aedb-bench.hlog)")
    private Path hlog;

    @Option(names = "--svg", paramLabel = "FILE",
        description = "percentile plot (default: OUT-DIR/aedb-bench.svg)")
    private Path svg;

    private PrintWriter out;
    private PrintWriter err;
    private String micro;

    @Override
    public Integer call() throws IOException
    {
        validate();
        out = spec.commandLine().getOut();
        err = spec.commandLine().getErr();
        micro = Charset.defaultCharset().newEncoder().canEncode('\u00b5') ? "\u00b5s" : "us";
        final Path hlogFile = hlog != null ? hlog : outDir.resolve("aedb-bench.hlog");
        final Path svgFile = svg != null ? svg : outDir.resolve("aedb-bench.svg");
        createParent(hlogFile);
        createParent(svgFile);
        final boolean temp = dataDir == null;
        final Path dir = temp ? Files.createTempDirectory("aedb-bench-") : dataDir;
        final boolean open = rate != null;

        final String config = configLine(dir, temp);
        out.println("aedb bench: " + config);
        out.println(open
            ? String.format(Locale.ROOT, "open loop: %,.0f ops/s in total (every %s %s per thread); latency counts from each op's "
                + "intended start (corrected for coordinated omission), service time from its actual start",
                rate, LatencyPlot.formatMicros(threads * 1e6 / rate), micro)
            : "closed loop (no --rate): each thread runs ops back to back as fast as it can; latency = service time, "
                + "NOT corrected for coordinated omission");
        out.flush();

        final BenchWorker.Plan plan = new BenchWorker.Plan();
        final List<BenchOp> ops = new ArrayList<>();
        for (final BenchOp op : BenchOp.ALL)
        {
            if (mix.has(op))
            {
                ops.add(op);
            }
        }
        final Histogram[] latency = new Histogram[BenchOp.ALL.length];
        final Histogram[] service = new Histogram[BenchOp.ALL.length];
        long missed = 0;
        HeadState head;
        try
        {
            try (AedbInstance db = AedbInstance.open(new AedbConfig().durability(durability), dir))
            {
                preload(db);
                plan.db = db;
                plan.mix = mix;
                plan.keys = keys;
                plan.valueSize = valueSize;
                plan.scanLength = scanLength;
                plan.insert = commitKind == CommitKind.insert;
                plan.threads = threads;
                plan.intervalNanos = open ? Math.max(1, Math.round(threads * 1e9 / rate)) : 0;
                plan.warmup = new BenchWorker.Recorders(open);
                plan.measured = new BenchWorker.Recorders(open);
                final BenchWorker[] workers = new BenchWorker[threads];
                final Thread[] running = new Thread[threads];
                for (int i = 0; i < threads; i++)
                {
                    workers[i] = new BenchWorker(plan, i);
                    running[i] = new Thread(workers[i], "aedb-bench-" + i);
                    running[i].setDaemon(true);
                }
                plan.startNanos = System.nanoTime() + 20_000_000L;
                plan.warmupEndNanos = plan.startNanos + warmup * SECOND;
                plan.endNanos = plan.warmupEndNanos + duration * SECOND;
                final long epochMillisAtStart = System.currentTimeMillis() + 20;
                for (final Thread t : running)
                {
                    t.start();
                }
                try (HdrLog log = new HdrLog(hlogFile, config, open, epochMillisAtStart + warmup * 1000L))
                {
                    report(plan, ops, running, log, epochMillisAtStart, latency, service);
                }
                finally
                {
                    plan.stop.set(true);
                    for (final Thread t : running)
                    {
                        join(t);
                    }
                }
                if (plan.failure.get() != null)
                {
                    throw plan.failure.get();
                }
                for (final BenchWorker w : workers)
                {
                    missed += w.missed();
                }
                head = db.headState();
            }
        }
        catch (final Throwable t)
        {
            err.println();
            err.println("aedb bench FAILED: " + t.getMessage());
            t.printStackTrace(err);
            err.flush();
            cleanUp(dir, temp);
            return 1;
        }

        // the report
        final List<String> columns = new ArrayList<>();
        final List<Histogram> latencyColumns = new ArrayList<>();
        final List<Histogram> serviceColumns = new ArrayList<>();
        final Histogram allLatency = newHistogram();
        final Histogram allService = newHistogram();
        for (final BenchOp op : ops)
        {
            columns.add(op.label);
            latencyColumns.add(latency[op.ordinal()]);
            allLatency.add(latency[op.ordinal()]);
            if (open)
            {
                serviceColumns.add(service[op.ordinal()]);
                allService.add(service[op.ordinal()]);
            }
        }
        columns.add("all");
        latencyColumns.add(allLatency);
        serviceColumns.add(allService);
        out.println();
        out.print(LatencyTable.format(open
            ? "latency from intended start (" + micro + ", corrected for coordinated omission), " + duration + " s measured:"
            : "latency = service time (" + micro + ", closed loop, not corrected for coordinated omission), " + duration + " s measured:",
            columns, latencyColumns, true, duration));
        if (open)
        {
            out.println();
            out.print(LatencyTable.format("service time from actual start (" + micro + ", uncorrected):", columns, serviceColumns, false,
                duration));
            final double achieved = allLatency.getTotalCount() / (double)duration;
            out.printf(Locale.ROOT, "target %,.0f ops/s, achieved %,.0f ops/s%n", rate, achieved);
            if (missed > 0)
            {
                out.printf(Locale.ROOT, "WARNING: the run ended %,d scheduled ops behind: they never started and are not in the "
                    + "histograms, so the tail above is understated. Lower --rate.%n", missed);
            }
        }
        out.printf(Locale.ROOT, "engine head at the end: durable seq %,d, visible seq %,d%s%n", head.durableHeadSeq(),
            head.visibleHeadSeq(), durability == Durability.OS_BUFFERED && head.durableHeadSeq() < head.visibleHeadSeq()
                ? " (OS_BUFFERED: the rest becomes durable at close)" : "");

        final List<LatencyPlot.Series> series = new ArrayList<>();
        for (final BenchOp op : ops)
        {
            final String color = COLORS[op.ordinal()];
            series.add(new LatencyPlot.Series(open ? op.label + " (from intended start)" : op.label, color, false,
                latency[op.ordinal()]));
            if (open)
            {
                series.add(new LatencyPlot.Series(op.label + " service time", color, true, service[op.ordinal()]));
            }
        }
        Files.writeString(svgFile, LatencyPlot.render("aedb bench: latency by percentile", plotSubtitle(open), series),
            StandardCharsets.UTF_8);
        out.println("wrote " + hlogFile + " (HdrHistogram interval log, ns) and " + svgFile);
        cleanUp(dir, temp);
        out.flush();
        return 0;
    }

    private void validate()
    {
        final int maxValueBytes = new AedbConfig().maxValueBytes();
        if (keys < 1)
        {
            throw usage("--keys must be >= 1, was " + keys);
        }
        if (valueSize < 1 || valueSize > maxValueBytes)
        {
            throw usage("--value-size must be in 1.." + maxValueBytes + " (the engine's maxValueBytes), was " + valueSize);
        }
        if (threads < 1 || threads > 64)
        {
            throw usage("--threads must be in 1..64, was " + threads);
        }
        if (scanLength < 1)
        {
            throw usage("--scan-length must be >= 1, was " + scanLength);
        }
        if (mix.has(BenchOp.SCAN) && keys < scanLength)
        {
            throw usage("--keys (" + keys + ") must be at least --scan-length (" + scanLength + ") when the mix has scans");
        }
        if (rate != null && !(rate > 0 && rate <= 1e9))
        {
            throw usage("--rate must be > 0 ops/s (at most 1e9), was " + rate);
        }
        if (warmup < 0 || warmup > 86_400)
        {
            throw usage("--warmup must be in 0..86400 seconds, was " + warmup);
        }
        if (duration < 1 || duration > 86_400)
        {
            throw usage("--duration must be in 1..86400 seconds, was " + duration);
        }
        if (dataDir != null && Files.exists(dataDir))
        {
            try (var entries = Files.list(dataDir))
            {
                if (entries.findAny().isPresent())
                {
                    throw usage("--data-dir " + dataDir + " is not empty; give a new or empty directory");
                }
            }
            catch (final IOException ex)
            {
                throw usage("--data-dir " + dataDir + " cannot be listed: " + ex.getMessage());
            }
        }
        if (keep && dataDir != null)
        {
            throw usage("--keep applies to the temp directory only; a --data-dir is always kept");
        }
    }

    private ParameterException usage(final String message)
    {
        return new ParameterException(spec.commandLine(), message);
    }

    private String configLine(final Path dir, final boolean temp)
    {
        return String.format(Locale.ROOT, "mix %s | %,d keys x %,d B values, loaded %s | %s | %d thread%s | scan %d | commits: %s | %s | "
                + "warmup %d s, measure %d s | data %s%s", mix, keys, valueSize,
            insertOrder == InsertOrder.random ? "in random order (--seed " + seed + ")" : "in key order", durability, threads, threads == 1 ? "" : "s",
            scanLength, commitKind == CommitKind.update ? "updates of loaded keys" : "inserts of new keys",
            rate != null ? String.format(Locale.ROOT, "rate %,.0f ops/s", rate) : "closed loop", warmup, duration, dir,
            temp ? keep ? " (temp, kept)" : " (temp, deleted at the end)" : "");
    }

    private String plotSubtitle(final boolean open)
    {
        return String.format(Locale.ROOT, "%s, %d thread%s, mix %s, %,d keys x %,d B, scan %d, %s, %d s", durability, threads,
            threads == 1 ? "" : "s", mix, keys, valueSize, scanLength,
            open ? String.format(Locale.ROOT, "open loop %,.0f ops/s (dashed: service time)", rate)
                : "closed loop (service time, not CO-corrected)", duration);
    }

    /**
     * Loads keys 0..keys-1 in the {@code --insert-order} in envelopes of up to 1,000 KvSets (a few in flight), syncs,
     * and spot-checks.
     */
    private void preload(final AedbInstance db)
    {
        final long t0 = System.nanoTime();
        db.createProject(BenchWorker.PROJECT);
        final int[] order = insertionOrder(keys, insertOrder, seed);
        final int chunk = Math.max(1, Math.min(1000, (4 << 20) / (valueSize + 64)));
        final ArrayDeque<CompletableFuture<CommitResult>> inFlight = new ArrayDeque<>();
        for (long base = 0; base < keys; base += chunk)
        {
            final int n = (int)Math.min(chunk, keys - base);
            final Mutation[] batch = new Mutation[n];
            for (int i = 0; i < n; i++)
            {
                final int k = order[(int)base + i];
                batch[i] = new Mutation.KvSet(BenchWorker.PROJECT, BenchWorker.SCOPE, BenchData.key(k), BenchData.value(k, valueSize));
            }
            inFlight.add(db.commitAsync(TransactionEnvelope.of(batch)));
            if (inFlight.size() >= 8)
            {
                await(inFlight.poll());
            }
        }
        while (!inFlight.isEmpty())
        {
            await(inFlight.poll());
        }
        db.sync();
        final KvHandle kv = db.kvHandle(BenchWorker.PROJECT, BenchWorker.SCOPE);
        final UnsafeBuffer key = new UnsafeBuffer(ByteBuffer.allocateDirect(BenchData.KEY_BYTES));
        final UnsafeBuffer value = new UnsafeBuffer(ByteBuffer.allocateDirect(valueSize));
        for (final long i : new long[] {0, keys / 2, keys - 1})
        {
            BenchData.key(i, key);
            final int length = kv.get(key, 0, BenchData.KEY_BYTES, value, 0);
            if (!BenchData.isValue(i, valueSize, value, 0, length))
            {
                throw new IllegalStateException("preloaded key " + i + " reads back wrong (length " + length + ")");
            }
        }
        out.printf(Locale.ROOT, "preloaded %,d keys in %,d ms; durable head seq %,d%n", keys, (System.nanoTime() - t0) / 1_000_000,
            db.headState().durableHeadSeq());
        out.flush();
    }

    /** @return 0..count-1 in key order, or shuffled (Fisher-Yates) by a generator seeded with {@code seed}. */
    static int[] insertionOrder(final int count, final InsertOrder order, final long seed)
    {
        final int[] keys = new int[count];
        for (int i = 0; i < count; i++)
        {
            keys[i] = i;
        }
        if (order == InsertOrder.random)
        {
            final SplittableRandom random = new SplittableRandom(seed);
            for (int i = count - 1; i > 0; i--)
            {
                final int j = random.nextInt(i + 1);
                final int t = keys[i];
                keys[i] = keys[j];
                keys[j] = t;
            }
        }
        return keys;
    }

    private static void await(final CompletableFuture<CommitResult> future)
    {
        try
        {
            future.join();
        }
        catch (final CompletionException ex)
        {
            if (ex.getCause() instanceof RuntimeException r)
            {
                throw r;
            }
            throw ex;
        }
    }

    /**
     * Every second: takes the interval histograms, writes them to the log (measurement only), adds them to the
     * totals and prints a progress line. At the end joins the workers first, so the last interval holds every op.
     */
    private void report(final BenchWorker.Plan plan, final List<BenchOp> ops, final Thread[] running, final HdrLog log,
        final long epochMillisAtStart, final Histogram[] latency, final Histogram[] service)
    {
        final boolean open = plan.intervalNanos > 0;
        final Histogram[] recycleLatency = new Histogram[BenchOp.ALL.length];
        final Histogram[] recycleService = new Histogram[BenchOp.ALL.length];
        final Histogram[] recycleWarmLatency = new Histogram[BenchOp.ALL.length];
        final Histogram[] recycleWarmService = new Histogram[BenchOp.ALL.length];
        for (final BenchOp op : ops)
        {
            latency[op.ordinal()] = newHistogram();
            service[op.ordinal()] = newHistogram();
        }
        final Histogram interval = newHistogram();
        final boolean console = System.console() != null;
        final int total = warmup + duration;
        long previousTick = plan.startNanos;
        long warmOps = 0;
        long measuredOps = 0;
        for (int second = 1; second <= total && !plan.stop.get(); second++)
        {
            final long tick = plan.startNanos + second * SECOND;
            while (System.nanoTime() < tick && !plan.stop.get())
            {
                LockSupport.parkNanos(Math.min(tick - System.nanoTime(), 50_000_000L));
            }
            if (plan.stop.get())
            {
                break;
            }
            final boolean last = second == total;
            if (last)
            {
                for (final Thread t : running)
                {
                    join(t);
                }
            }
            final long now = last ? Math.max(tick, System.nanoTime()) : tick;
            final boolean measuring = tick > plan.warmupEndNanos;
            final BenchWorker.Recorders recorders = measuring ? plan.measured : plan.warmup;
            interval.reset();
            for (final BenchOp op : ops)
            {
                final int i = op.ordinal();
                final Histogram[] recycle = measuring ? recycleLatency : recycleWarmLatency;
                final Histogram h = recorders.latency[i].getIntervalHistogram(recycle[i]);
                recycle[i] = h;
                interval.add(h);
                if (measuring)
                {
                    latency[i].add(h);
                    log.write(h, op.label, epochMillisAtStart + (previousTick - plan.startNanos) / 1_000_000,
                        epochMillisAtStart + (now - plan.startNanos) / 1_000_000);
                }
                if (open)
                {
                    final Histogram[] recycleS = measuring ? recycleService : recycleWarmService;
                    final Histogram s = recorders.service[i].getIntervalHistogram(recycleS[i]);
                    recycleS[i] = s;
                    if (measuring)
                    {
                        service[i].add(s);
                        log.write(s, op.label + ".service", epochMillisAtStart + (previousTick - plan.startNanos) / 1_000_000,
                            epochMillisAtStart + (now - plan.startNanos) / 1_000_000);
                    }
                }
            }
            final double seconds = (now - previousTick) / 1e9;
            final long count = interval.getTotalCount();
            final String phase;
            final long done;
            if (measuring)
            {
                measuredOps += count;
                done = measuredOps;
                phase = String.format(Locale.ROOT, "measure %d/%d s", second - warmup, duration);
            }
            else
            {
                warmOps += count;
                done = warmOps;
                phase = String.format(Locale.ROOT, "warmup %d/%d s", second, warmup);
            }
            final String line = String.format(Locale.ROOT, "[aedb bench] %s | %,d ops | %,.0f ops/s | p99 %s %s", phase, done,
                count / seconds, count == 0 ? "-" : LatencyPlot.formatMicros(interval.getValueAtPercentile(99) / 1000.0), micro);
            if (console)
            {
                err.print("\r" + line + "    ");
                if (last)
                {
                    err.println();
                }
            }
            else
            {
                err.println(line);
            }
            err.flush();
            previousTick = now;
        }
        if (console && plan.stop.get())
        {
            err.println();
        }
    }

    private static void join(final Thread t)
    {
        try
        {
            t.join(120_000);
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
        }
        if (t.isAlive())
        {
            throw new IllegalStateException(t.getName() + " did not finish its last op within 120 s of the end of the run");
        }
    }

    static Histogram newHistogram()
    {
        return new Histogram(BenchWorker.MAX_NANOS, 3);
    }

    private static void createParent(final Path file) throws IOException
    {
        final Path parent = file.toAbsolutePath().getParent();
        if (parent != null)
        {
            Files.createDirectories(parent);
        }
    }

    private void cleanUp(final Path dir, final boolean temp)
    {
        if (!temp)
        {
            return;
        }
        if (keep)
        {
            out.println("kept data directory " + dir);
            return;
        }
        try
        {
            Files.walkFileTree(dir, new SimpleFileVisitor<>()
            {
                @Override
                public FileVisitResult visitFile(final Path file, final BasicFileAttributes attrs) throws IOException
                {
                    Files.delete(file);
                    return FileVisitResult.CONTINUE;
                }

                @Override
                public FileVisitResult postVisitDirectory(final Path d, final IOException exc) throws IOException
                {
                    Files.delete(d);
                    return FileVisitResult.CONTINUE;
                }
            });
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException("cannot delete " + dir, ex);
        }
    }

    /** The .hlog: a header (comments, start time, legend), then tagged interval histograms. */
    private static final class HdrLog implements AutoCloseable
    {
        private final HistogramLogWriter writer;

        HdrLog(final Path file, final String config, final boolean open, final long baseMillis) throws IOException
        {
            writer = new HistogramLogWriter(file.toFile());
            writer.outputLogFormatVersion();
            writer.outputComment("aedb bench: " + config);
            writer.outputComment("values in nanoseconds; one interval histogram per op type per second of the measurement");
            writer.outputComment(open
                ? "tags commit/get/scan: latency from the intended start (corrected for coordinated omission); "
                    + "tags <op>.service: service time from the actual start"
                : "tags commit/get/scan: service time, closed loop (not corrected for coordinated omission)");
            writer.outputStartTime(baseMillis);
            writer.outputBaseTime(baseMillis);
            writer.setBaseTime(baseMillis);
            writer.outputLegend();
        }

        void write(final Histogram h, final String tag, final long startMillis, final long endMillis)
        {
            h.setTag(tag);
            h.setStartTimeStamp(startMillis);
            h.setEndTimeStamp(endMillis);
            writer.outputIntervalHistogram(h);
        }

        @Override
        public void close()
        {
            writer.close();
        }
    }
}
