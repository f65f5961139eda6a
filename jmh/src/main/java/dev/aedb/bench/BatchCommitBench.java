package dev.aedb.bench;

import dev.aedb.AedbInstance;
import dev.aedb.Durability;
import dev.aedb.commit.Mutation;
import dev.aedb.commit.TransactionEnvelope;

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

import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/**
 * Throughput of durable batch commits: one envelope of {@value #BATCH} KvSets (16-byte new keys, 100-byte values)
 * with {@link Durability#FULL}. The score is envelopes per second; puts per second = {@value #BATCH} x the score.
 * {@code -p durability=OS_BUFFERED} (or BATCH) measures the same envelope without the per-commit msync, to split the
 * cost between the engine and the disk; the suite's default is FULL only.
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Fork(2)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Threads(1)
@State(Scope.Benchmark)
public class BatchCommitBench
{
    static final int BATCH = 100;

    @Param({"FULL"})
    public Durability durability;

    private Path dir;
    private AedbInstance db;
    private byte[] value;
    private long next;

    @Setup(Level.Trial)
    public void setUp()
    {
        dir = BenchData.tempDir("batch");
        db = BenchData.open(dir, durability);
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
    public long commit100()
    {
        final Mutation[] batch = new Mutation[BATCH];
        for (int i = 0; i < BATCH; i++)
        {
            batch[i] = new Mutation.KvSet(BenchData.PROJECT, BenchData.SCOPE, BenchData.key(next++), value);
        }
        return db.commit(TransactionEnvelope.of(batch)).commitSeq();
    }
}
