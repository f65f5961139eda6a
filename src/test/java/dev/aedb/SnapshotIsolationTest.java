package dev.aedb;

import dev.aedb.model.AedbException;
import dev.aedb.model.ConsistencyMode;
import dev.aedb.model.Durability;
import dev.aedb.model.ErrorCode;
import dev.aedb.model.Mutation;
import dev.aedb.model.TransactionEnvelope;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Writers move value between accounts (the total is conserved) and stamp every account they touch with the
 * commit's own marker; readers pin snapshots and check that a snapshot at seq S sees exactly state S: conserved
 * total, no version above S, and the same answer when read again through AtSeq(S).
 */
class SnapshotIsolationTest
{
    private static final int ACCOUNTS = 32;
    private static final long START = 1_000;

    @TempDir
    Path dir;

    private static byte[] account(final int i)
    {
        return ("acct-" + (100 + i)).getBytes();
    }

    private static byte[] amount(final long v)
    {
        return ByteBuffer.allocate(8).putLong(v).array();
    }

    @Test
    void shouldReadExactlyTheStateOfThePinnedSeqUnderConcurrentWriters() throws Exception
    {
        final long seed = System.nanoTime();
        System.out.println("SnapshotIsolationTest seed=" + seed);
        try (AedbInstance db = AedbInstance.open(TestSupport.smallConfig().durability(Durability.OS_BUFFERED), dir))
        {
            db.createProject("p");
            final List<Mutation> init = new ArrayList<>();
            for (int i = 0; i < ACCOUNTS; i++)
            {
                init.add(new Mutation.KvSet("p", "app", account(i), amount(START)));
            }
            db.commit(TransactionEnvelope.of(init));
            final AtomicBoolean stop = new AtomicBoolean();
            final AtomicReference<Throwable> failure = new AtomicReference<>();
            final AtomicLong commits = new AtomicLong();
            final AtomicLong checks = new AtomicLong();
            final List<Thread> threads = new ArrayList<>();
            for (int w = 0; w < 2; w++)
            {
                final Random random = new Random(seed + w);
                threads.add(new Thread(() ->
                {
                    try
                    {
                        while (!stop.get())
                        {
                            final int from = random.nextInt(ACCOUNTS);
                            final int to = (from + 1 + random.nextInt(ACCOUNTS - 1)) % ACCOUNTS;
                            try (Snapshot s = db.snapshot(ConsistencyMode.AT_LATEST))
                            {
                                final long a = ByteBuffer.wrap(s.kvGet("p", "app", account(from)).value()).getLong();
                                final long b = ByteBuffer.wrap(s.kvGet("p", "app", account(to)).value()).getLong();
                                final long x = random.nextInt(10);
                                final var fromVersion = s.kvGet("p", "app", account(from)).version();
                                final var toVersion = s.kvGet("p", "app", account(to)).version();
                                try
                                {
                                    db.commit(new TransactionEnvelope(null, null, List.of(
                                        new dev.aedb.model.Assertion.KeyVersion("p", "app", account(from), fromVersion),
                                        new dev.aedb.model.Assertion.KeyVersion("p", "app", account(to), toVersion)),
                                        List.of(new Mutation.KvSet("p", "app", account(from), amount(a - x)),
                                            new Mutation.KvSet("p", "app", account(to), amount(b + x)))));
                                    commits.incrementAndGet();
                                }
                                catch (final AedbException ex)
                                {
                                    if (ex.code() != ErrorCode.ASSERTION_FAILED)
                                    {
                                        throw ex;
                                    }
                                }
                            }
                        }
                    }
                    catch (final Throwable t)
                    {
                        failure.compareAndSet(null, t);
                    }
                }, "writer-" + w));
            }
            for (int r = 0; r < 2; r++)
            {
                threads.add(new Thread(() ->
                {
                    try
                    {
                        while (!stop.get())
                        {
                            try (Snapshot s = db.snapshot(ConsistencyMode.AT_LATEST))
                            {
                                final KvScanResult all = s.kvScanPrefix("p", "app", "acct-".getBytes(), 1000, null);
                                assertEquals(ACCOUNTS, all.entries().size());
                                long total = 0;
                                for (final KvEntry e : all.entries())
                                {
                                    total += ByteBuffer.wrap(e.value()).getLong();
                                    assertTrue(e.version() <= s.seq(), "version above the snapshot");
                                }
                                assertEquals(ACCOUNTS * START, total, "total not conserved at seq " + s.seq());
                                final KvScanResult again = db.kvScanPrefix("p", "app", "acct-".getBytes(), 1000, null,
                                    ConsistencyMode.atSeq(s.seq()));
                                for (int i = 0; i < ACCOUNTS; i++)
                                {
                                    assertEquals(all.entries().get(i).version(), again.entries().get(i).version());
                                    assertTrue(java.util.Arrays.equals(all.entries().get(i).value(), again.entries().get(i).value()));
                                }
                                checks.incrementAndGet();
                            }
                        }
                    }
                    catch (final Throwable t)
                    {
                        failure.compareAndSet(null, t);
                    }
                }, "reader-" + r));
            }
            threads.forEach(Thread::start);
            final long deadline = System.nanoTime() + 20_000_000_000L;
            while ((commits.get() < 3_000 || checks.get() < 300) && failure.get() == null && System.nanoTime() < deadline)
            {
                Thread.onSpinWait();
                Thread.yield();
            }
            stop.set(true);
            for (final Thread t : threads)
            {
                t.join();
            }
            assertNull(failure.get(), () -> "seed=" + seed + ": " + failure.get());
            assertTrue(commits.get() >= 100 && checks.get() >= 50, "too little concurrency: commits=" + commits + " checks=" + checks);
        }
    }
}
