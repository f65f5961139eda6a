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
 * Workload 8: durable single-put commits per second with 1, 2, 4 and 8 writer threads, each with its own session,
 * all putting new keys into one store. Engines with group commit (aedb, RocksDB) can share one sync among the
 * commits waiting for it; LMDB serialises writers on its write lock (two fdatasyncs per commit), SQLite on its WAL
 * write lock (busy_timeout 60 s), H2 MVStore on its store lock (commit) with each writer's own sync. Chronicle Map has
 * no durable commit: n/a. The score is commits per second over all threads.
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Fork(value = 2, jvmArgs = {"-Xmx2g"})
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
public class GroupCommitBench
{
    @State(Scope.Benchmark)
    public static class Store
    {
        @Param({Engine.AEDB, Engine.LMDB, Engine.ROCKSDB, Engine.H2_MVSTORE, Engine.SQLITE})
        public String engine;

        final WriteStore store = new WriteStore();

        @Setup(Level.Trial)
        public void setUp()
        {
            store.open(engine, Engine.SyncMode.DURABLE, "group", false);
        }

        @TearDown(Level.Trial)
        public void tearDown()
        {
            store.checkAndClose();
        }
    }

    @State(Scope.Thread)
    public static class Writer
    {
        Engine.Session session;

        @Setup(Level.Trial)
        public void setUp(final Store store)
        {
            session = store.store.engine.session();
        }

        @TearDown(Level.Trial)
        public void tearDown()
        {
            session.close();
        }
    }

    @Benchmark
    @Threads(1)
    public void writers1(final Store store, final Writer writer)
    {
        store.store.putNext(writer.session);
    }

    @Benchmark
    @Threads(2)
    public void writers2(final Store store, final Writer writer)
    {
        store.store.putNext(writer.session);
    }

    @Benchmark
    @Threads(4)
    public void writers4(final Store store, final Writer writer)
    {
        store.store.putNext(writer.session);
    }

    @Benchmark
    @Threads(8)
    public void writers8(final Store store, final Writer writer)
    {
        store.store.putNext(writer.session);
    }
}
