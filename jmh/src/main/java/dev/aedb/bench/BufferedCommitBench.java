package dev.aedb.bench;

import dev.aedb.AedbInstance;
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

import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/**
 * Latency of one commit with {@link Durability#OS_BUFFERED}: one envelope holding one KvSet (16-byte new key,
 * 100-byte value), acknowledged after the append to the mapped WAL (no msync): the cost of the engine itself.
 */
@BenchmarkMode(Mode.SampleTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Fork(2)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Threads(1)
@State(Scope.Benchmark)
public class BufferedCommitBench
{
    private Path dir;
    private AedbInstance db;
    private byte[] value;
    private long next;

    @Setup(Level.Trial)
    public void setUp()
    {
        dir = BenchData.tempDir("buffered");
        db = BenchData.open(dir, Durability.OS_BUFFERED);
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

    @Benchmark
    public long commit()
    {
        return db.commit(new Mutation.KvSet(BenchData.PROJECT, BenchData.SCOPE, BenchData.key(next++), value)).commitSeq();
    }
}
