package dev.aedb.bench;

import dev.aedb.AedbConfig;
import dev.aedb.AedbInstance;
import dev.aedb.model.ColumnDef;
import dev.aedb.model.ColumnType;
import dev.aedb.model.DdlOperation;
import dev.aedb.model.Durability;
import dev.aedb.model.Mutation;
import dev.aedb.model.Row;
import dev.aedb.model.TransactionEnvelope;
import dev.aedb.model.Value;

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
import org.openjdk.jmh.annotations.Warmup;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * What secondary indexes cost a commit: one buffered (OS_BUFFERED) single-row upsert that rewrites an existing row of
 * {@code keys} (default 100,000) with new values in every indexed column, into a table {@code t(id INTEGER PRIMARY
 * KEY, a INTEGER, b INTEGER, c TEXT)} with 0, 1 ({@code a}) or 3 ({@code a}, {@code b}, {@code (c, a)}) indexes. Each
 * index then takes a tombstone on the old entry and a new entry in the same commit. Rows are loaded in random order.
 */
@BenchmarkMode(Mode.SampleTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Fork(value = 1, jvmArgs = {"-Xmx3g"})
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
public class IndexMaintenanceBench
{
    @State(Scope.Benchmark)
    public static class Table
    {
        @Param({"0", "1", "3"})
        public int indexes;

        @Param({"100000"})
        public int keys;

        Path dir;
        AedbInstance db;
        int[] walk;
        int step;
        long version;

        @Setup(Level.Trial)
        public void load()
        {
            dir = BenchData.tempDir("index-maintenance-" + indexes);
            db = AedbInstance.open(new AedbConfig().durability(Durability.OS_BUFFERED).storeSegmentBytes(64 << 20), dir);
            db.createProject("p");
            db.createTable("p", "app", "t", List.of(ColumnDef.of("id", ColumnType.INTEGER), ColumnDef.of("a", ColumnType.INTEGER),
                ColumnDef.of("b", ColumnType.INTEGER), ColumnDef.of("c", ColumnType.TEXT)), List.of("id"));
            if (indexes >= 1)
            {
                db.commit(new Mutation.Ddl(new DdlOperation.CreateIndex("p", "app", "t", "by_a", List.of("a"), false)));
            }
            if (indexes >= 3)
            {
                db.commit(new Mutation.Ddl(new DdlOperation.CreateIndex("p", "app", "t", "by_b", List.of("b"), false)));
                db.commit(new Mutation.Ddl(new DdlOperation.CreateIndex("p", "app", "t", "by_c_a", List.of("c", "a"), false)));
            }
            final List<Mutation> batch = new ArrayList<>();
            for (final int id : BenchData.insertionOrder(keys, BenchData.InsertOrder.RANDOM))
            {
                batch.add(row(id, 0));
                if (batch.size() == 1000)
                {
                    db.commit(TransactionEnvelope.of(batch));
                    batch.clear();
                }
            }
            if (!batch.isEmpty())
            {
                db.commit(TransactionEnvelope.of(batch));
            }
            walk = BenchData.randomIndexes(BenchData.RANDOM_COUNT, keys, 0x2545F4914F6CDD1DL);
        }

        static Mutation row(final int id, final long version)
        {
            return new Mutation.Upsert("p", "app", "t", List.of(Value.integer(id)), Row.of(Value.integer(id),
                Value.integer(id * 31L + version), Value.integer(version * 17 + id), Value.text("c-" + (id + version) % 1000)));
        }

        @TearDown(Level.Trial)
        public void close()
        {
            db.close();
            BenchData.deleteRecursively(dir);
        }
    }

    @Benchmark
    public long upsert(final Table t)
    {
        final int id = t.walk[t.step];
        t.step = (t.step + 1) & (t.walk.length - 1);
        return t.db.commit(Table.row(id, ++t.version)).commitSeq();
    }
}
