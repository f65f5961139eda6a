package dev.aedb.bench;

import org.agrona.concurrent.UnsafeBuffer;
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
 * Workload 6: reopen after a clean close of a store holding {@code keys} (default 1,000,000) entries: the time from
 * "open this directory" until one get has returned the right value (open, plus the session/transaction/connection the
 * get needs, plus the get). The store is loaded and checked once per fork, then cleanly closed; every measured
 * operation opens it, and the close that follows is outside the measurement ({@code @TearDown(Level.Iteration)}).
 * <p>
 * Mode {@link Mode#SingleShotTime}: one reopen per iteration, so every engine gets the same number of samples whether
 * a reopen costs 0.1 ms or seconds, and JMH times exactly the one call with no per-invocation bookkeeping. The OS page
 * cache keeps the files, as after a process restart on the same host; the first open in the fork (the load) has
 * already paid for class loading and native library extraction. The load inserts in a seeded random key order.
 * <p>
 * aedb runs with its defaults for checkpoints: the clean close after the load writes a checkpoint
 * ({@code checkpointOnClose}), so a reopen maps that image and replays nothing; the get is the first touch of the
 * image's hash array and of one of its segments, which are CRC32C-verified then (lazily, at first touch).
 */
@BenchmarkMode(Mode.SingleShotTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Fork(value = 1, jvmArgs = {"-Xmx3g"})
@Warmup(iterations = 2)
@Measurement(iterations = 8)
@Threads(1)
@State(Scope.Benchmark)
public class ReopenBench
{
    @Param({Engine.AEDB, Engine.LMDB, Engine.ROCKSDB, Engine.H2_MVSTORE, Engine.CHRONICLE_MAP, Engine.SQLITE})
    public String engine;

    @Param({"1000000"})
    public int keys;

    private final LoadedStore loaded = new LoadedStore();
    private final UnsafeBuffer probeKey = new UnsafeBuffer(new byte[BenchData.KEY_BYTES]);
    private byte[] probeValue;
    private long probeIndex;
    private Engine reopened;

    @Setup(Level.Trial)
    public void setUp()
    {
        loaded.open(engine, keys, "reopen");
        loaded.closeEngine();
        probeIndex = keys / 2;
        BenchData.key(probeIndex, probeKey.byteArray(), 0);
        probeValue = BenchData.value(probeIndex);
    }

    @Benchmark
    public int reopen()
    {
        reopened = Engine.create(engine);
        reopened.open(loaded.dir, Engine.SyncMode.BUFFERED, LoadedStore.capacity(keys));
        final Engine.Session session = reopened.session();
        final int length = session.get(probeKey, 0);
        if (length != probeValue.length || session.value().getByte(length - 1) != probeValue[length - 1])
        {
            throw new IllegalStateException(engine + ": get of key " + probeIndex + " after reopen returned length " + length);
        }
        return length;
    }

    /** Checks the reopened store (outside the measurement), then closes it cleanly for the next reopen. */
    @TearDown(Level.Iteration)
    public void checkAndClose()
    {
        if (reopened == null)
        {
            return;
        }
        try (Engine.Session session = reopened.session())
        {
            final StoreCheck check = new StoreCheck(engine, session);
            check.gets(keys, 1000, 0x5EED5L, BenchData::value);
            check.absent(keys + 7L);
        }
        finally
        {
            reopened.close();
            reopened = null;
        }
    }

    @TearDown(Level.Trial)
    public void tearDown()
    {
        loaded.close();
    }
}
