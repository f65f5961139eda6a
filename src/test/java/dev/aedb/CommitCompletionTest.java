package dev.aedb;

import dev.aedb.model.AedbException;
import dev.aedb.model.CommitResult;
import dev.aedb.model.Durability;
import dev.aedb.model.ErrorCode;
import dev.aedb.model.TransactionEnvelope;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

import static dev.aedb.TestSupport.b;
import static dev.aedb.TestSupport.kvSet;
import static dev.aedb.TestSupport.s;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * How commits are acknowledged: caller code (future callbacks) never runs on the sequencer, a blocking callback
 * delays nobody else, close() never hangs on one, and an interrupted caller learns the real outcome.
 * <p>
 * Most tests run in BATCH mode with a one-second batch interval: an acknowledgement then takes about that long, so a
 * callback registered right after {@code commitAsync} returns is registered long before the future completes (it would
 * run on the registering thread otherwise, and the test would prove nothing).
 */
class CommitCompletionTest
{
    private static final long TIMEOUT_SECONDS = 10;

    @TempDir
    Path dir;
    AedbInstance db;

    @AfterEach
    void close()
    {
        if (db != null)
        {
            assertTimeoutPreemptively(Duration.ofSeconds(TIMEOUT_SECONDS), () -> db.close(), "close() hangs");
        }
    }

    private AedbInstance openBatch()
    {
        db = AedbInstance.open(TestSupport.smallConfig().durability(Durability.BATCH).batchIntervalMicros(1_000_000)
            .batchMaxBytes(64 << 20), dir);
        db.createProject("p");
        return db;
    }

    @Test
    void shouldCompleteAndKeepCommittingWhenAFutureCallbackCommitsAgain() throws Exception
    {
        openBatch();
        final AtomicReference<String> callbackThread = new AtomicReference<>();
        final CompletableFuture<CommitResult> nested = db.commitAsync(TransactionEnvelope.of(kvSet("outer", "1")))
            .thenApply(r ->
            {
                callbackThread.set(Thread.currentThread().getName());
                return db.commit(kvSet("inner", "2")); // blocks until the sequencer acknowledges it
            });
        final CommitResult inner = nested.get(TIMEOUT_SECONDS, TimeUnit.SECONDS);
        assertTrue(callbackThread.get().startsWith("aedb-callbacks-"), "callback ran on " + callbackThread.get());
        assertEquals("2", s(db.kvGet("p", "app", b("inner")).value()));
        final CommitResult later = db.commit(kvSet("later", "3"));
        assertEquals(inner.commitSeq() + 1, later.commitSeq());
        assertTimeoutPreemptively(Duration.ofSeconds(TIMEOUT_SECONDS), () -> db.close());
    }

    @Test
    void shouldAcknowledgeOtherCommitsWhileACallbackBlocks() throws Exception
    {
        openBatch();
        final CountDownLatch release = new CountDownLatch(1);
        final CompletableFuture<Void> slow = commitWithBlockedCallback(release);

        // Other threads commit, blocking and async, while the callback is still blocked.
        final List<CompletableFuture<CommitResult>> others = new ArrayList<>();
        for (int i = 0; i < 3; i++)
        {
            final String key = "other" + i;
            final CompletableFuture<CommitResult> blocking = new CompletableFuture<>();
            new Thread(() ->
            {
                try
                {
                    blocking.complete(db.commit(kvSet(key, "x")));
                }
                catch (final RuntimeException ex)
                {
                    blocking.completeExceptionally(ex);
                }
            }, "other-committer-" + i).start();
            others.add(blocking);
        }
        others.add(db.commitAsync(TransactionEnvelope.of(kvSet("other-async", "y"))));
        for (final CompletableFuture<CommitResult> f : others)
        {
            assertTrue(f.get(TIMEOUT_SECONDS, TimeUnit.SECONDS).commitSeq() > 0);
        }
        assertEquals(1, release.getCount(), "the callback is still blocked");
        assertFalse(slow.isDone());
        release.countDown();
        slow.get(TIMEOUT_SECONDS, TimeUnit.SECONDS);
    }

    @Test
    void shouldReturnFromCloseAndCompleteQueuedFuturesWhenACallbackBlocks() throws Exception
    {
        openBatch();
        final CountDownLatch release = new CountDownLatch(1);
        final CompletableFuture<Void> slow = commitWithBlockedCallback(release);
        final List<CompletableFuture<CommitResult>> queued = new ArrayList<>();
        for (int i = 0; i < 50; i++)
        {
            queued.add(db.commitAsync(TransactionEnvelope.of(kvSet("queued" + i, "v"))));
        }
        assertTimeoutPreemptively(Duration.ofSeconds(TIMEOUT_SECONDS), () -> db.close());
        long expectedSeq = -1;
        boolean closedSeen = false;
        for (final CompletableFuture<CommitResult> f : queued)
        {
            try
            {
                final CommitResult r = f.get(TIMEOUT_SECONDS, TimeUnit.SECONDS);
                assertFalse(closedSeen, "nothing is acknowledged after a commit refused as CLOSED");
                assertTrue(expectedSeq < 0 || r.commitSeq() == expectedSeq, "acknowledged in submission order, dense seqs");
                expectedSeq = r.commitSeq() + 1;
            }
            catch (final ExecutionException ex)
            {
                assertEquals(ErrorCode.CLOSED, assertInstanceOf(AedbException.class, ex.getCause()).code());
                closedSeen = true;
            }
        }
        assertFalse(slow.isDone());
        release.countDown();
        slow.get(TIMEOUT_SECONDS, TimeUnit.SECONDS);
        db = null;
        try (AedbInstance reopened = TestSupport.open(dir))
        {
            for (int i = 0; i < queued.size(); i++)
            {
                final boolean acknowledged = !queued.get(i).isCompletedExceptionally();
                assertEquals(acknowledged, reopened.kvGet("p", "app", b("queued" + i)).found(),
                    "an acknowledged commit is kept, a CLOSED one was not applied: queued" + i);
            }
        }
    }

    @Test
    void shouldReturnTheRealOutcomeAndKeepTheFlagWhenTheCallerIsInterrupted() throws Exception
    {
        openBatch();
        final CompletableFuture<Object[]> preInterrupted = CompletableFuture.supplyAsync(() ->
        {
            Thread.currentThread().interrupt();
            final CommitResult r = db.commit(kvSet("pre", "1"));
            return new Object[]{r, Thread.interrupted()};
        });
        final Object[] pre = preInterrupted.get(TIMEOUT_SECONDS, TimeUnit.SECONDS);
        assertTrue((Boolean)pre[1], "the interrupt flag is set again");
        assertEquals(((CommitResult)pre[0]).commitSeq(), db.kvGet("p", "app", b("pre")).version());

        // Interrupted while parked: the BATCH interval keeps the caller waiting long enough to be seen parked.
        final AtomicReference<Object[]> mid = new AtomicReference<>();
        final Thread caller = new Thread(() ->
        {
            try
            {
                final CommitResult r = db.commit(kvSet("mid", "2"));
                mid.set(new Object[]{r, Thread.currentThread().isInterrupted()});
            }
            catch (final AedbException ex)
            {
                mid.set(new Object[]{ex, Thread.currentThread().isInterrupted()});
            }
        }, "interrupted-caller");
        caller.start();
        final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(TIMEOUT_SECONDS);
        while (caller.getState() != Thread.State.WAITING && caller.getState() != Thread.State.TERMINATED)
        {
            if (System.nanoTime() > deadline)
            {
                fail("the caller never waited: " + caller.getState());
            }
            Thread.onSpinWait();
        }
        caller.interrupt();
        caller.join(TimeUnit.SECONDS.toMillis(TIMEOUT_SECONDS));
        assertFalse(caller.isAlive());
        assertInstanceOf(CommitResult.class, mid.get()[0], "the real outcome, not INTERRUPTED: " + mid.get()[0]);
        assertTrue((Boolean)mid.get()[1], "the interrupt flag is set again");
        assertEquals(((CommitResult)mid.get()[0]).commitSeq(), db.kvGet("p", "app", b("mid")).version());
    }

    /** Commits async with a callback that blocks until {@code release}; returns once the callback is blocked. */
    private CompletableFuture<Void> commitWithBlockedCallback(final CountDownLatch release) throws InterruptedException
    {
        final CountDownLatch entered = new CountDownLatch(1);
        final CompletableFuture<Void> slow = db.commitAsync(TransactionEnvelope.of(kvSet("slow", "1"))).thenRun(() ->
        {
            entered.countDown();
            awaitQuietly(release);
        });
        assertTrue(entered.await(TIMEOUT_SECONDS, TimeUnit.SECONDS), "the callback never ran");
        return slow;
    }

    private static void awaitQuietly(final CountDownLatch latch)
    {
        try
        {
            if (!latch.await(2 * TIMEOUT_SECONDS, TimeUnit.SECONDS))
            {
                throw new AssertionError("the test never released the callback");
            }
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
        }
    }
}
