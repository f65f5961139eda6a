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
 * Workload 3: throughput of atomic batches of {@value #BATCH} puts of new keys, each batch durable before the call
 * returns: aedb one envelope of 100 KvSets, LMDB one write transaction, RocksDB one WriteBatch with sync, H2 MVStore
 * 100 puts + commit + sync, SQLite one transaction. The score is batches per second; <b>puts per second = 100 x the
 * score</b> (the results table shows puts/s). {@code -p mode=BUFFERED} measures the same batches without the sync;
 * {@code -p insertOrder=RANDOM} puts new keys anywhere in the key space instead of after all others; {@code -p
 * updateKeys=N} rewrites N keys over and over instead of writing new ones.
 * Chronicle Map has no atomic batch and no durable commit: n/a.
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Fork(value = 2, jvmArgs = {"-Xmx2g"})
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Threads(1)
@State(Scope.Benchmark)
public class BatchCommitBench
{
    static final int BATCH = 100;

    @Param({Engine.AEDB, Engine.LMDB, Engine.ROCKSDB, Engine.H2_MVSTORE, Engine.SQLITE})
    public String engine;

    @Param({"DURABLE"})
    public Engine.SyncMode mode;

    /** SEQUENTIAL: each new key sorts after all others (an append); RANDOM: anywhere ({@link WriteStore#order}). */
    @Param({"SEQUENTIAL"})
    public String insertOrder;

    /** 0: every put writes a new key; N > 0: puts cycle over N keys, so after the first N they are updates. */
    @Param({"0"})
    public long updateKeys;

    private final WriteStore store = new WriteStore();

    @Setup(Level.Trial)
    public void setUp()
    {
        store.order(BenchData.InsertOrder.of(insertOrder)).updateKeys(updateKeys).open(engine, mode, "batch", true);
    }

    @TearDown(Level.Trial)
    public void tearDown()
    {
        store.checkAndClose();
    }

    @Benchmark
    public void commit100()
    {
        store.putBatch();
    }
}
