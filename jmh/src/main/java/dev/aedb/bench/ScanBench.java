package dev.aedb.bench;

import dev.aedb.KvVisitor;

import org.agrona.DirectBuffer;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Threads;
import org.openjdk.jmh.annotations.Warmup;

import java.util.concurrent.TimeUnit;

/**
 * Short range scans: {@value #LIMIT} consecutive entries from a random start key among {@value LoadedStore#KEYS},
 * through {@code KvHandle.scan(start, ..., 100, visitor)} with a visitor allocated once that sums key and value
 * lengths into its own field (the zero-allocation path; check gc.alloc.rate.norm with {@code -prof gc}).
 * The score is scans per second; entries per second = {@value #LIMIT} x the score.
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Fork(value = 2, jvmArgs = {"-Xmx2g"})
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Threads(1)
@State(Scope.Benchmark)
public class ScanBench
{
    static final int LIMIT = 100;

    /** Captures nothing: one instance per trial, state kept in its own field. */
    static final class SumVisitor implements KvVisitor
    {
        long sum;

        @Override
        public boolean visit(final DirectBuffer key, final int keyOffset, final int keyLength, final DirectBuffer value,
            final int valueOffset, final int valueLength, final long version)
        {
            sum += keyLength + valueLength;
            return true;
        }
    }

    private final LoadedStore store = new LoadedStore();
    private final SumVisitor visitor = new SumVisitor();
    private int[] starts;
    private int cursor;

    @Setup(Level.Trial)
    public void setUp()
    {
        store.open("scan");
        // Starts in [0, KEYS - LIMIT], so every scan has LIMIT entries to visit.
        starts = BenchData.randomIndexes(LoadedStore.RANDOM_COUNT, LoadedStore.KEYS - LIMIT + 1, 0x2545F4914F6CDD1DL);
        cursor = 0;
    }

    @TearDown(Level.Trial)
    public void tearDown()
    {
        store.close();
    }

    @Benchmark
    public long scan100()
    {
        final int i = starts[cursor++ & (LoadedStore.RANDOM_COUNT - 1)];
        final int n = store.kv.scan(store.allKeys, i * BenchData.KEY_BYTES, BenchData.KEY_BYTES, LIMIT, visitor);
        if (n != LIMIT)
        {
            throw new IllegalStateException("scan from loaded key " + i + " visited " + n + " entries, expected " + LIMIT);
        }
        return visitor.sum;
    }
}
