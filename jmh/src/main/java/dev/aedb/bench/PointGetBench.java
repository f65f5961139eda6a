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
import org.openjdk.jmh.infra.ThreadParams;

import java.util.concurrent.TimeUnit;

/**
 * Workload 4: point gets of random keys among {@code keys} (default 1,000,000), with 1 and with 2 threads; the score
 * is gets per second over all threads. Each thread has its own {@link Engine.Session} (aedb: {@code KvHandle.get} into
 * a reused direct buffer, allocation-free; LMDB: a reused read transaction and a zero-copy view; RocksDB: the direct
 * ByteBuffer get; H2 MVStore: {@code MVMap.get}; Chronicle Map: {@code getUsing}; SQLite: a prepared SELECT) and walks
 * a fixed-seed random sequence of 2^20 indexes from its own starting point. Each get checks the value's length.
 * That is {@code api=handle}; {@code api=bytes} measures every engine's ordinary byte[] get instead, the value
 * returned as a fresh array (aedb {@code kvGet}, RocksDB {@code get(byte[])}, LMDB a copy of the view, MVStore and
 * Chronicle Map {@code get}, SQLite {@code getBytes}); {@code -prof gc} then shows what each allocates beyond it.
 * <p>
 * The store is loaded in a seeded random key order ({@code insertOrder=random}, the default; {@code sequential} loads
 * in key order). {@code phase=loaded} (default) measures the store as loaded, never reopened (aedb: the data in its
 * live arena); {@code phase=reopened} closes it cleanly after the load and opens it again before measuring (aedb: the
 * close writes a checkpoint and the reads are served from the mapped, key-ordered image); every engine gets the same.
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Fork(value = 2, jvmArgs = {"-Xmx3g"})
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
public class PointGetBench
{
    @State(Scope.Benchmark)
    public static class Store
    {
        @Param({Engine.AEDB, Engine.LMDB, Engine.ROCKSDB, Engine.H2_MVSTORE, Engine.CHRONICLE_MAP, Engine.SQLITE})
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

        final LoadedStore loaded = new LoadedStore();
        int[] order;
        boolean bytes;

        @Setup(Level.Trial)
        public void setUp()
        {
            loaded.open(engine, keys, "pointget", BenchData.InsertOrder.of(insertOrder));
            if (Phase.reopen(phase))
            {
                loaded.reopen();
            }
            order = BenchData.randomIndexes(BenchData.RANDOM_COUNT, keys, 0x9E3779B97F4A7C15L);
            bytes = Api.bytes(api);
        }

        @TearDown(Level.Trial)
        public void tearDown()
        {
            loaded.close();
        }
    }

    @State(Scope.Thread)
    public static class Reader
    {
        Engine.Session session;
        final byte[] key = new byte[BenchData.KEY_BYTES];
        int cursor;

        @Setup(Level.Trial)
        public void setUp(final Store store, final ThreadParams thread)
        {
            session = store.loaded.engine.session();
            cursor = thread.getThreadIndex() * (BenchData.RANDOM_COUNT / 2);
        }

        @TearDown(Level.Trial)
        public void tearDown()
        {
            session.close();
        }
    }

    @Benchmark
    @Threads(1)
    public int getOneThread(final Store store, final Reader reader)
    {
        return get(store, reader);
    }

    @Benchmark
    @Threads(2)
    public int getTwoThreads(final Store store, final Reader reader)
    {
        return get(store, reader);
    }

    private static int get(final Store store, final Reader reader)
    {
        final int i = store.order[reader.cursor++ & (BenchData.RANDOM_COUNT - 1)];
        if (store.bytes)
        {
            store.loaded.keys.getBytes(i * BenchData.KEY_BYTES, reader.key);
            final byte[] value = reader.session.getBytes(reader.key);
            if (value == null || value.length != BenchData.VALUE_BYTES)
            {
                throw new IllegalStateException(store.engine + ": get of loaded key " + i + " returned "
                    + (value == null ? "null" : value.length + " bytes"));
            }
            return value[value.length - 1];
        }
        final int length = reader.session.get(store.loaded.keys, i * BenchData.KEY_BYTES);
        if (length != BenchData.VALUE_BYTES)
        {
            throw new IllegalStateException(store.engine + ": get of loaded key " + i + " returned length " + length);
        }
        return reader.session.value().getInt(length - 4);
    }
}
