package dev.aedb.bench;

import dev.aedb.AedbInstance;
import dev.aedb.CommitResult;
import dev.aedb.Durability;
import dev.aedb.commit.Mutation;

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

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.concurrent.TimeUnit;

/**
 * Latency of one durable commit, and the disk's floor beside it.
 * <ul>
 * <li>{@code commit}: one envelope holding one KvSet (16-byte new key, 100-byte value) with {@link Durability#FULL}:
 * the call returns after the WAL frame is msync'ed.</li>
 * <li>{@code rawForce}: a 100-byte {@code FileChannel.write} at an advancing position of a preallocated file followed by
 * {@code force(false)} (fdatasync): the least a durable 100-byte append can cost on this disk.</li>
 * </ul>
 * Each method has its own state (a fresh temp directory per trial), so {@code rawForce} runs without an open instance.
 */
@BenchmarkMode(Mode.SampleTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Fork(2)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Threads(1)
@State(Scope.Benchmark)
public class DurableCommitBench
{
    @State(Scope.Benchmark)
    public static class Db
    {
        Path dir;
        AedbInstance db;
        byte[] value;
        long next;

        @Setup(Level.Trial)
        public void setUp()
        {
            dir = BenchData.tempDir("durable");
            db = BenchData.open(dir, Durability.FULL);
            value = BenchData.value(42);
            next = 0;
        }

        @TearDown(Level.Trial)
        public void tearDown()
        {
            try
            {
                if (db != null)
                {
                    db.close();
                }
            }
            finally
            {
                BenchData.deleteRecursively(dir);
            }
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
    public long commit(final Db s)
    {
        final CommitResult r = s.db.commit(new Mutation.KvSet(BenchData.PROJECT, BenchData.SCOPE, BenchData.key(s.next++), s.value));
        return r.commitSeq();
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
