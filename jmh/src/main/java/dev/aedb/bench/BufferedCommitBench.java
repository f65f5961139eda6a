package dev.aedb.bench;

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
 * Workload 2: latency of one single-put commit that is not synced ({@link Engine.SyncMode#BUFFERED}: it has reached
 * the OS and survives a process crash, not a power loss): aedb OS_BUFFERED, LMDB MDB_NOSYNC|MDB_NOMETASYNC, RocksDB
 * sync=false with the WAL, H2 MVStore put + commit without sync, SQLite WAL with synchronous=OFF, Chronicle Map put.
 * This is what each engine costs without the disk. {@code capacity} sizes Chronicle Map (2.1 GiB file for the default
 * 16M entries, allocated at open; smoke runs pass a smaller one).
 */
@BenchmarkMode(Mode.SampleTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Fork(value = 2, jvmArgs = {"-Xmx2g"})
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Threads(1)
@State(Scope.Benchmark)
public class BufferedCommitBench
{
    @Param({Engine.AEDB, Engine.LMDB, Engine.ROCKSDB, Engine.H2_MVSTORE, Engine.CHRONICLE_MAP, Engine.SQLITE})
    public String engine;

    /** Entries Chronicle Map is sized for (its file is allocated up front); the other engines ignore it. */
    @Param({"16777216"})
    public long capacity;

    private final WriteStore store = new WriteStore();

    @Setup(Level.Trial)
    public void setUp()
    {
        store.open(engine, Engine.SyncMode.BUFFERED, "buffered", false, capacity);
    }

    @TearDown(Level.Trial)
    public void tearDown()
    {
        store.checkAndClose();
    }

    @Benchmark
    public void commit()
    {
        store.putNext(store.session);
    }
}
