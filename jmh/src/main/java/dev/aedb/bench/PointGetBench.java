package dev.aedb.bench;

import dev.aedb.KvGetResult;

import org.agrona.concurrent.UnsafeBuffer;
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

import java.nio.ByteBuffer;
import java.util.concurrent.TimeUnit;

/**
 * Point reads of random keys among {@value LoadedStore#KEYS} (16-byte keys, 100-byte values), one thread, at the
 * latest snapshot.
 * <ul>
 * <li>{@code kvGet}: {@code KvHandle.get(DirectBuffer, ..., MutableDirectBuffer dst, 0)} into a reused buffer, the
 * zero-allocation path (check gc.alloc.rate.norm with {@code -prof gc}).</li>
 * <li>{@code kvGetAlloc}: {@code AedbInstance.kvGet(project, scope, byte[])}, which pins a Snapshot and returns a copy.</li>
 * </ul>
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Fork(value = 2, jvmArgs = {"-Xmx2g"})
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Threads(1)
@State(Scope.Benchmark)
public class PointGetBench
{
    private final LoadedStore store = new LoadedStore();
    private int[] order;
    private int cursor;
    private UnsafeBuffer dst;

    @Setup(Level.Trial)
    public void setUp()
    {
        store.open("pointget");
        order = BenchData.randomIndexes(LoadedStore.RANDOM_COUNT, LoadedStore.KEYS, 0x9E3779B97F4A7C15L);
        dst = new UnsafeBuffer(ByteBuffer.allocateDirect(128));
        cursor = 0;
    }

    @TearDown(Level.Trial)
    public void tearDown()
    {
        store.close();
    }

    @Benchmark
    public int kvGet()
    {
        final int i = order[cursor++ & (LoadedStore.RANDOM_COUNT - 1)];
        final int len = store.kv.get(store.allKeys, i * BenchData.KEY_BYTES, BenchData.KEY_BYTES, dst, 0);
        if (len != BenchData.VALUE_BYTES)
        {
            throw new IllegalStateException("KvHandle.get of loaded key " + i + " returned length " + len);
        }
        return dst.getInt(len - 4);
    }

    @Benchmark
    public byte[] kvGetAlloc()
    {
        final int i = order[cursor++ & (LoadedStore.RANDOM_COUNT - 1)];
        final KvGetResult r = store.db.kvGet(BenchData.PROJECT, BenchData.SCOPE, store.keyArrays[i]);
        if (!r.found())
        {
            throw new IllegalStateException("AedbInstance.kvGet of loaded key " + i + " found nothing");
        }
        return r.value();
    }
}
