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

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.concurrent.TimeUnit;

/**
 * Workload 1 and 7: latency of one durable single-put commit per engine, and the disk's floor beside it.
 * <ul>
 * <li>{@code commit}: one put of a new 16-byte key with a 100-byte value, on stable storage before the call returns
 * ({@link Engine.SyncMode#DURABLE}; per engine see README.md, "Peers"). Chronicle Map has no durable commit: n/a.</li>
 * <li>{@code rawForce}: a 100-byte {@code FileChannel.write} at an advancing position of a preallocated file followed by
 * {@code force(false)} (fdatasync): the least a durable 100-byte append can cost on this disk. It has its own state
 * and no {@code engine} parameter, so it runs once, with no store open.</li>
 * </ul>
 */
@BenchmarkMode(Mode.SampleTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Fork(value = 2, jvmArgs = {"-Xmx2g"})
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Threads(1)
public class DurableCommitBench
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
            store.open(engine, Engine.SyncMode.DURABLE, "durable", false);
        }

        @TearDown(Level.Trial)
        public void tearDown()
        {
            store.checkAndClose();
        }
    }

    @State(Scope.Benchmark)
    public static class RawFile
    {
        static final long FILE_BYTES = 64L << 20;
        Path dir;
        FileChannel channel;
        ByteBuffer record;
        long position;

        @Setup(Level.Trial)
        public void setUp() throws IOException
        {
            dir = BenchData.tempDir("rawforce");
            channel = FileChannel.open(dir.resolve("raw.dat"), StandardOpenOption.CREATE_NEW, StandardOpenOption.READ,
                StandardOpenOption.WRITE);
            // Preallocate with real zeros (not a sparse hole), so force() below never allocates blocks or changes the size.
            final ByteBuffer zeros = ByteBuffer.allocateDirect(1 << 20);
            for (long p = 0; p < FILE_BYTES; p += zeros.capacity())
            {
                zeros.clear();
                while (zeros.hasRemaining())
                {
                    channel.write(zeros, p + zeros.position());
                }
            }
            channel.force(true);
            record = ByteBuffer.allocateDirect(BenchData.VALUE_BYTES);
            record.put(BenchData.value(42)).flip();
            position = 0;
        }

        @TearDown(Level.Trial)
        public void tearDown() throws IOException
        {
            try
            {
                if (channel != null)
                {
                    channel.close();
                }
            }
            finally
            {
                BenchData.deleteRecursively(dir);
            }
        }
    }

    @Benchmark
    public void commit(final Store s)
    {
        s.store.putNext(s.store.session);
    }

    @Benchmark
    public long rawForce(final RawFile s) throws IOException
    {
        if (s.position + BenchData.VALUE_BYTES > RawFile.FILE_BYTES)
        {
            s.position = 0;
        }
        s.record.clear();
        while (s.record.hasRemaining())
        {
            s.channel.write(s.record, s.position + s.record.position());
        }
        s.channel.force(false);
        s.position += BenchData.VALUE_BYTES;
        return s.position;
    }
}
