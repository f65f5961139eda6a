package dev.aedb.bench;

import org.agrona.DirectBuffer;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Threads;
import org.openjdk.jmh.annotations.Warmup;

import java.util.concurrent.TimeUnit;

/**
 * Workload 5: ordered scans of {@value #LIMIT} consecutive entries from a random start key among {@code keys}
 * (default 1,000,000; a start is at most the {@code keys - 100}th key, so every scan has 100 entries), one thread. The
 * visitor is created once per trial and adds key and value lengths into its own field (allocation-free where the
 * engine is). The score is scans per second; entries per second = 100 x the score. Chronicle Map is a hash map with
 * no ordered scan: n/a.
 * <p>
 * {@code api=handle}: aedb scans with {@code KvHandle.scan} (its zero-allocation range scan with a visitor),
 * the peers with their buffer or view APIs as {@code jmh/README.md} says. {@code api=bytes}: every engine's ordinary
 * byte[] scan, each key and value a fresh array (aedb {@code kvScanRange}, RocksDB's iterator {@code key()/value()},
 * LMDB a copy of each view, MVStore's cursor, SQLite {@code getBytes}); {@code -prof gc} then shows what each engine
 * allocates beyond the 100 copies. The store is loaded in a seeded random
 * key order ({@code insertOrder=random}, the default; {@code sequential} loads in key order). {@code phase=loaded}
 * (default): as loaded, never reopened (aedb: key records in its live arena, in insertion order); {@code phase=reopened}:
 * closed cleanly after the load and opened again before measuring (aedb: the close writes a checkpoint and the scans
 * walk the mapped image, which holds the records in key order); every engine gets the same.
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Fork(value = 2, jvmArgs = {"-Xmx3g"})
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Threads(1)
@State(Scope.Benchmark)
public class ScanBench
{
    static final int LIMIT = 100;

    /** Captures nothing: one instance per trial, state kept in its own field. */
    static final class SumVisitor implements Engine.EntryVisitor
    {
        long sum;

        @Override
        public void visit(final DirectBuffer key, final int keyOffset, final int keyLength, final DirectBuffer value,
            final int valueOffset, final int valueLength)
        {
            sum += keyLength + valueLength;
        }
    }

    @Param({Engine.AEDB, Engine.LMDB, Engine.ROCKSDB, Engine.H2_MVSTORE, Engine.SQLITE})
    public String engine;

    @Param({"1000000"})
    public int keys;

    /** {@code random} (seeded, the default) or {@code sequential}: the order the load inserts keys in. */
    @Param({"random"})
    public String insertOrder;

    /** {@code handle}: the zero-allocation or buffer API; {@code bytes}: the ordinary byte[] API. */
    @Param({Api.HANDLE, Api.BYTES})
    public String api;

    /** {@code loaded}: as loaded, never reopened; {@code reopened}: closed cleanly and opened again after the load. */
    @Param({Phase.LOADED})
    public String phase;

    private final LoadedStore loaded = new LoadedStore();
    private final SumVisitor visitor = new SumVisitor();
    private final byte[] start = new byte[BenchData.KEY_BYTES];
    private long sum;
    private final Engine.BytesVisitor bytesVisitor = (key, value) -> sum += key.length + value.length;
    private boolean bytes;
    private Engine.Session session;
    private int[] starts;
    private int cursor;

    @Setup(Level.Trial)
    public void setUp()
    {
        if (keys <= LIMIT)
        {
            throw new IllegalArgumentException("keys=" + keys + " must exceed the scan length " + LIMIT);
        }
        loaded.open(engine, keys, "scan", BenchData.InsertOrder.of(insertOrder));
        if (Phase.reopen(phase))
        {
            loaded.reopen();
        }
        session = loaded.engine.session();
        bytes = Api.bytes(api);
        starts = BenchData.randomIndexes(BenchData.RANDOM_COUNT, keys - LIMIT + 1, 0x2545F4914F6CDD1DL);
        cursor = 0;
    }

    @TearDown(Level.Trial)
    public void tearDown()
    {
        loaded.close();
    }

    @Benchmark
    public long scan100()
    {
        final int i = starts[cursor++ & (BenchData.RANDOM_COUNT - 1)];
        final int n;
        if (bytes)
        {
            loaded.keys.getBytes(i * BenchData.KEY_BYTES, start);
            n = session.scanBytes(start, LIMIT, bytesVisitor);
        }
        else
        {
            n = session.scan(loaded.keys, i * BenchData.KEY_BYTES, LIMIT, visitor);
        }
        if (n != LIMIT)
        {
            throw new IllegalStateException(engine + ": scan from loaded key " + i + " visited " + n + " entries, expected "
                + LIMIT);
        }
        return visitor.sum + sum;
    }
}
