package dev.aedb.cli;

import dev.aedb.AedbConfig;
import dev.aedb.AedbInstance;
import dev.aedb.HeadState;
import dev.aedb.KvGetResult;
import dev.aedb.model.ColumnDef;
import dev.aedb.model.ColumnType;
import dev.aedb.model.CommitResult;
import dev.aedb.model.Durability;
import dev.aedb.model.Expr;
import dev.aedb.model.Mutation;
import dev.aedb.model.Query;
import dev.aedb.model.QueryResult;
import dev.aedb.model.Row;
import dev.aedb.model.Value;

import org.HdrHistogram.Histogram;

import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;

/**
 * {@code aedb demo}: opens a data directory, creates a table and KV data, commits durably, reads back, reopens,
 * checks that everything survived, and prints commit-latency percentiles.
 */
@Command(name = "demo", description = "Create a table and KV data, commit durably, reopen, verify, print commit latency.")
final class DemoCommand implements Callable<Integer>
{
    @Option(names = "--data-dir", description = "data directory (default: ${DEFAULT-VALUE})", defaultValue = "aedb-data")
    private Path dataDir;

    @Option(names = "--commits", description = "durable single-row commits to time (default: ${DEFAULT-VALUE})", defaultValue = "2000")
    private int commits;

    @Option(names = "--durability", description = "FULL, BATCH or OS_BUFFERED (default: ${DEFAULT-VALUE})", defaultValue = "FULL")
    private Durability durability;

    @Override
    public Integer call()
    {
        final AedbConfig config = new AedbConfig().durability(durability).storeSegmentBytes(16 * 1024 * 1024);
        final Histogram latency = new Histogram(3_600_000_000L, 3);
        long firstKey;
        try (AedbInstance db = AedbInstance.open(config, dataDir))
        {
            System.out.printf("opened %s: recovered %d commits (head seq %d)%n", db.directory(), db.recoveryReport().replayedFrames(),
                db.recoveryReport().lastSeq());
            db.createProject("demo");
            db.commit(new Mutation.Ddl(new dev.aedb.model.DdlOperation.CreateTable("demo", "app", "users", null,
                List.of(ColumnDef.of("id", ColumnType.INTEGER), ColumnDef.of("username", ColumnType.TEXT),
                    ColumnDef.nullable("score", ColumnType.FLOAT)), List.of("id"), true)));
            firstKey = db.headState().visibleHeadSeq() * 1_000_000L;
            for (int i = 0; i < commits; i++)
            {
                final long id = firstKey + i;
                final long start = System.nanoTime();
                db.commit(new Mutation.Upsert("demo", "app", "users", List.of(Value.integer(id)),
                    Row.of(Value.integer(id), Value.text("user-" + id), Value.float64(i * 0.5))));
                latency.recordValue((System.nanoTime() - start) / 1000);
            }
            final CommitResult kv = db.commit(new Mutation.KvSet("demo", "app", bytes("greeting"), bytes("hello, aedb")));
            System.out.printf("committed %d rows and 1 KV pair; last seq %d, durable head %d%n", commits, kv.commitSeq(),
                kv.durableHeadSeq());
            final QueryResult q = db.query("demo", "app", Query.select("id", "username").from("users")
                .where_(Expr.eq("id", Value.integer(firstKey))));
            System.out.println("query id=" + firstKey + " -> " + q.rows() + " (plan " + q.plan() + ", snapshot " + q.snapshotSeq() + ")");
        }
        try (AedbInstance db = AedbInstance.open(config, dataDir))
        {
            final HeadState head = db.headState();
            final KvGetResult kv = db.kvGet("demo", "app", bytes("greeting"));
            final boolean rowOk = db.get("demo", "app", "users", List.of(Value.integer(firstKey + commits - 1))).found();
            System.out.printf("reopened: head seq %d, replayed %d frames, greeting=%s, last row present=%b%n", head.visibleHeadSeq(),
                db.recoveryReport().replayedFrames(), kv.found() ? new String(kv.value(), StandardCharsets.UTF_8) : "<missing>", rowOk);
            if (!kv.found() || !rowOk)
            {
                System.err.println("demo FAILED: data missing after reopen");
                return 1;
            }
        }
        System.out.printf("%s single-row commit latency (us): p50=%d p90=%d p99=%d p99.9=%d max=%d (n=%d)%n", durability,
            latency.getValueAtPercentile(50), latency.getValueAtPercentile(90), latency.getValueAtPercentile(99),
            latency.getValueAtPercentile(99.9), latency.getMaxValue(), latency.getTotalCount());
        return 0;
    }

    private static byte[] bytes(final String s)
    {
        return s.getBytes(StandardCharsets.UTF_8);
    }
}
