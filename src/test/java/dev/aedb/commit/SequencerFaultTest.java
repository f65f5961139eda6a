package dev.aedb.commit;

import dev.aedb.AedbConfig;
import dev.aedb.AedbInstance;
import dev.aedb.TestFaults;
import dev.aedb.io.IoFaults;
import dev.aedb.model.AedbException;
import dev.aedb.model.CommitResult;
import dev.aedb.model.Durability;
import dev.aedb.model.ErrorClass;
import dev.aedb.model.ErrorCode;
import dev.aedb.model.Mutation;
import dev.aedb.model.TransactionEnvelope;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * What the sequencer does when applying an envelope throws something no validation foresaw (driven through the
 * instance's fault seam at crash point {@link IoFaults#APPLY_BEFORE_MUTATION}): an exception rejects that one envelope,
 * an Error stops the engine but fails every waiting request instead of leaving it hanging.
 */
class SequencerFaultTest
{
    private static final Duration TIMEOUT = Duration.ofSeconds(10);
    private static final byte[] BOOM = bytes("boom");

    @TempDir
    Path dir;

    private final TestFaults faults = new TestFaults();

    private static byte[] bytes(final String s)
    {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    private static Mutation kvSet(final String key, final String value)
    {
        return new Mutation.KvSet("p", "app", bytes(key), bytes(value));
    }

    private static boolean isBoom(final Mutation m)
    {
        return m instanceof Mutation.KvSet x && Arrays.equals(x.key(), BOOM);
    }

    private AedbInstance open(final Durability durability)
    {
        final AedbConfig config = new AedbConfig().storeSegmentBytes(4 << 20).durability(durability);
        final AedbInstance db = AedbInstance.open(faults.applyTo(config), dir);
        db.createProject("p");
        return db;
    }

    @Test
    void shouldRejectOnlyThatEnvelopeWhenApplyThrowsUnexpectedly()
    {
        try (AedbInstance db = open(Durability.FULL))
        {
            final long head = db.headState().visibleHeadSeq();
            faults.crashAt(IoFaults.APPLY_BEFORE_MUTATION, m ->
            {
                if (isBoom(m))
                {
                    throw new IllegalStateException("injected defect");
                }
            });
            final AedbException ex = assertTimeoutPreemptively(TIMEOUT, () -> assertThrows(AedbException.class,
                () -> db.commit(TransactionEnvelope.of(kvSet("before", "1"), new Mutation.KvSet("p", "app", BOOM, bytes("x"))))));
            assertEquals(ErrorCode.INTERNAL_ERROR, ex.code(), ex.getMessage());
            assertEquals(ErrorClass.INTERNAL, ex.errorClass());
            assertEquals(head, db.headState().visibleHeadSeq(), "no seq consumed");
            assertFalse(db.kvGet("p", "app", bytes("before")).found(), "the envelope's first mutation was rolled back");
            final CommitResult next = assertTimeoutPreemptively(TIMEOUT, () -> db.commit(kvSet("after", "2")));
            assertEquals(head + 1, next.commitSeq(), "the engine keeps committing with dense seqs");
            final CompletableFuture<CommitResult> async = db.commitAsync(TransactionEnvelope.of(new Mutation.KvSet("p", "app", BOOM, bytes("y"))));
            final ExecutionException failed = assertThrows(ExecutionException.class, () -> async.get(10, TimeUnit.SECONDS));
            assertEquals(ErrorCode.INTERNAL_ERROR, assertInstanceOf(AedbException.class, failed.getCause()).code());
        }
        try (AedbInstance db = AedbInstance.open(new AedbConfig().storeSegmentBytes(4 << 20), dir))
        {
            assertFalse(db.kvGet("p", "app", bytes("before")).found());
            assertEquals("2", new String(db.kvGet("p", "app", bytes("after")).value(), StandardCharsets.UTF_8));
        }
    }

    @Test
    void shouldFailEveryWaitingRequestAndStopWhenTheSequencerMeetsAnError() throws Exception
    {
        final AedbInstance db = open(Durability.OS_BUFFERED);
        final List<CompletableFuture<CommitResult>> queuedBehind = new ArrayList<>();
        try
        {
            db.commit(kvSet("acked", "1"));
            faults.crashAt(IoFaults.APPLY_BEFORE_MUTATION, m ->
            {
                if (isBoom(m))
                {
                    // Queue more work behind the failing envelope (from the sequencer itself: submitting never blocks).
                    for (int i = 0; i < 5; i++)
                    {
                        queuedBehind.add(db.commitAsync(TransactionEnvelope.of(kvSet("behind" + i, "x"))));
                    }
                    throw new StackOverflowError("injected");
                }
            });
            final AedbException ex = assertTimeoutPreemptively(TIMEOUT,
                () -> assertThrows(AedbException.class, () -> db.commit(new Mutation.KvSet("p", "app", BOOM, bytes("x")))));
            assertEquals(ErrorCode.INTERNAL_ERROR, ex.code(), ex.getMessage());
            assertTrue(ex.getMessage().contains("StackOverflowError"), ex.getMessage());
            assertEquals(5, queuedBehind.size());
            for (final CompletableFuture<CommitResult> f : queuedBehind)
            {
                final ExecutionException failed = assertThrows(ExecutionException.class, () -> f.get(10, TimeUnit.SECONDS));
                assertInstanceOf(AedbException.class, failed.getCause());
            }
            final AedbException later = assertTimeoutPreemptively(TIMEOUT,
                () -> assertThrows(AedbException.class, () -> db.commit(kvSet("later", "2"))));
            assertEquals(ErrorCode.PREVIOUS_FAILURE, later.code());
            assertEquals(ErrorCode.PREVIOUS_FAILURE, assertThrows(AedbException.class, db::headState).code());
        }
        finally
        {
            assertTimeoutPreemptively(TIMEOUT, db::close);
        }
        try (AedbInstance reopened = AedbInstance.open(new AedbConfig().storeSegmentBytes(4 << 20), dir))
        {
            assertEquals("1", new String(reopened.kvGet("p", "app", bytes("acked")).value(), StandardCharsets.UTF_8));
            assertFalse(reopened.kvGet("p", "app", BOOM).found());
            reopened.commit(kvSet("reopened", "3"));
        }
    }
}
