package dev.aedb.nativetest;

import dev.aedb.AedbConfig;
import dev.aedb.AedbInstance;
import dev.aedb.KvGetResult;
import dev.aedb.model.ColumnDef;
import dev.aedb.model.ColumnType;
import dev.aedb.model.CommitResult;
import dev.aedb.model.DdlOperation;
import dev.aedb.model.Durability;
import dev.aedb.model.Mutation;
import dev.aedb.model.Row;
import dev.aedb.model.TransactionEnvelope;
import dev.aedb.model.Value;

import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Child process of {@link CrashDurabilityIT}: commits envelopes of three mutations forever under the durability mode
 * named by its second argument ({@link Durability#FULL}, {@link Durability#BATCH} or {@link Durability#OS_BUFFERED}),
 * printing {@code ACK <n> <commitSeq>} after each acknowledged commit, until it is killed.
 * <p>
 * Envelope n: upsert row {@code id=n, payload="p<n>"}, set KV {@code "k<n>" = "<n>"}, set KV {@code "last" = "<n>"}.
 * n continues after the value of {@code "last"} found at start. Several writer threads draw disjoint n from one
 * counter; since their commits may land out of n order, {@code "last"} may trail the highest stored n by a few,
 * so a restart may write some n again, with identical values.
 */
public final class CrashWriter
{
    static final String PROJECT = "crash";
    static final String SCOPE = "app";
    static final String TABLE = "t";
    /**
     * Writer threads. BATCH gets more, so that a group commit waiting for its interval holds several envelopes when the
     * kill comes; its callers park, while OS_BUFFERED callers spin briefly for their acknowledgement, on 2 cores.
     */
    static int threads(final Durability durability)
    {
        return durability == Durability.BATCH ? 4 : 2;
    }

    private CrashWriter()
    {
    }

    static byte[] ascii(final String s)
    {
        return s.getBytes(StandardCharsets.US_ASCII);
    }

    static TransactionEnvelope envelope(final long n)
    {
        final String decimal = Long.toString(n);
        return TransactionEnvelope.of(
            new Mutation.Upsert(PROJECT, SCOPE, TABLE, List.of(Value.integer(n)), Row.of(Value.integer(n), Value.text("p" + n))),
            new Mutation.KvSet(PROJECT, SCOPE, ascii("k" + n), ascii(decimal)),
            new Mutation.KvSet(PROJECT, SCOPE, ascii("last"), ascii(decimal)));
    }

    /** @param args the data directory, then the durability mode. */
    public static void main(final String[] args) throws Exception
    {
        final PrintStream out = System.out;
        final Durability durability = Durability.valueOf(args[1]);
        final AedbInstance db = AedbInstance.open(new AedbConfig().durability(durability).storeSegmentBytes(4 << 20),
            Path.of(args[0]));
        db.createProject(PROJECT);
        db.commit(new Mutation.Ddl(new DdlOperation.CreateTable(PROJECT, SCOPE, TABLE, null,
            List.of(ColumnDef.of("id", ColumnType.INTEGER), ColumnDef.of("payload", ColumnType.TEXT)), List.of("id"), true)));
        final KvGetResult last = db.kvGet(PROJECT, SCOPE, ascii("last"));
        final long start = last.found() ? Long.parseLong(new String(last.value(), StandardCharsets.US_ASCII)) : 0;
        synchronized (out)
        {
            out.println("START " + start + " " + db.recoveryReport().lastSeq());
            out.flush();
        }
        final AtomicLong next = new AtomicLong(start);
        final Thread[] writers = new Thread[threads(durability)];
        for (int i = 0; i < writers.length; i++)
        {
            writers[i] = new Thread(() ->
            {
                try
                {
                    while (true)
                    {
                        final long n = next.incrementAndGet();
                        final CommitResult result = db.commit(envelope(n));
                        synchronized (out)
                        {
                            out.println("ACK " + n + " " + result.commitSeq());
                            out.flush();
                        }
                    }
                }
                catch (final Throwable t)
                {
                    synchronized (out)
                    {
                        out.println("ERR " + t);
                        out.flush();
                    }
                    t.printStackTrace();
                    Runtime.getRuntime().halt(3);
                }
            }, "crash-writer-" + i);
            writers[i].start();
        }
        for (final Thread w : writers)
        {
            w.join();
        }
    }
}
