package dev.aedb;

import dev.aedb.model.AedbException;
import dev.aedb.model.Assertion;
import dev.aedb.model.CallerContext;
import dev.aedb.model.CommitResult;
import dev.aedb.model.ConsistencyMode;
import dev.aedb.model.DdlOperation;
import dev.aedb.model.ErrorCode;
import dev.aedb.model.Mutation;
import dev.aedb.model.TransactionEnvelope;
import dev.aedb.model.Value;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.List;

import static dev.aedb.TestSupport.b;
import static dev.aedb.TestSupport.expect;
import static dev.aedb.TestSupport.kvSet;
import static dev.aedb.TestSupport.s;
import static dev.aedb.TestSupport.user;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Envelope atomicity, assertions and idempotency. */
class EnvelopeTest
{
    @TempDir
    Path dir;

    @Test
    void shouldApplyNothingWhenALateMutationFails()
    {
        try (AedbInstance db = TestSupport.open(dir))
        {
            TestSupport.usersTable(db);
            db.commit(user(1, "alice"));
            final long head = db.headState().visibleHeadSeq();
            expect(ErrorCode.DUPLICATE_KEY, () -> db.commit(TransactionEnvelope.of(kvSet("a", "1"), user(2, "bob"),
                new Mutation.Delete("p", "app", "users", List.of(Value.integer(1))), TestSupport.insertUser(2, "dup"))));
            assertEquals(head, db.headState().visibleHeadSeq());
            assertFalse(db.kvGet("p", "app", b("a")).found());
            assertFalse(db.get("p", "app", "users", List.of(Value.integer(2))).found());
            assertTrue(db.get("p", "app", "users", List.of(Value.integer(1))).found());
            assertEquals(0, db.scanTable("p", "app", "users", 10, null, ConsistencyMode.AT_LATEST).rows().stream()
                .filter(r -> r.get(0).equals(Value.integer(2))).count());
        }
        try (AedbInstance db = TestSupport.open(dir))
        {
            assertFalse(db.kvGet("p", "app", b("a")).found(), "a rejected envelope must not reach the WAL");
            assertTrue(db.get("p", "app", "users", List.of(Value.integer(1))).found());
        }
    }

    /**
     * Envelopes long enough for the sequencer to prefetch their KV keys (8 or more mutations, windows of 64): a scope
     * created by the envelope itself, keys set and deleted in it, and a scope that does not exist. The prefetch is a
     * hint: the outcome is the mutations', in order, whatever it resolved.
     */
    @Test
    void shouldApplyLongKvEnvelopesInOrderWhateverTheirScopes()
    {
        try (AedbInstance db = TestSupport.open(dir))
        {
            TestSupport.usersTable(db);
            final List<Mutation> bad = new java.util.ArrayList<>();
            bad.add(new Mutation.Ddl(new DdlOperation.CreateScope("p", "fresh", null, false)));
            for (int i = 0; i < 70; i++)
            {
                bad.add(new Mutation.KvSet("p", i % 2 == 0 ? "fresh" : "app", b("k" + i), b("v" + i)));
            }
            bad.add(new Mutation.KvSet("p", "missing", b("k"), b("v")));
            final long head = db.headState().visibleHeadSeq();
            expect(ErrorCode.SCOPE_NOT_FOUND, () -> db.commit(TransactionEnvelope.of(bad)));
            assertEquals(head, db.headState().visibleHeadSeq());
            assertFalse(db.kvGet("p", "app", b("k1")).found());

            final List<Mutation> good = new java.util.ArrayList<>(bad.subList(0, bad.size() - 1));
            good.add(new Mutation.KvDel("p", "fresh", b("k0")));
            good.add(new Mutation.KvSet("p", "app", b("k1"), b("later")));
            db.commit(TransactionEnvelope.of(good));
            assertFalse(db.kvGet("p", "fresh", b("k0")).found());
            assertEquals("later", new String(db.kvGet("p", "app", b("k1")).value(), java.nio.charset.StandardCharsets.UTF_8));
            for (int i = 2; i < 70; i++)
            {
                assertEquals("v" + i, new String(db.kvGet("p", i % 2 == 0 ? "fresh" : "app", b("k" + i)).value(),
                    java.nio.charset.StandardCharsets.UTF_8), "k" + i);
                assertFalse(db.kvGet("p", i % 2 == 0 ? "app" : "fresh", b("k" + i)).found());
            }
        }
    }

    @Test
    void shouldSeeEarlierMutationsOfTheSameEnvelope()
    {
        try (AedbInstance db = TestSupport.open(dir))
        {
            TestSupport.usersTable(db);
            final CommitResult r = db.commit(TransactionEnvelope.of(TestSupport.insertUser(5, "e"),
                new Mutation.UpdateFields("p", "app", "users", List.of(Value.integer(5)), java.util.Map.of("age", Value.integer(30))),
                kvSet("x", "1"), new Mutation.KvDel("p", "app", b("x"))));
            final RowResult row = db.get("p", "app", "users", List.of(Value.integer(5)));
            assertEquals(Value.integer(30), row.row().get(2));
            assertEquals(r.commitSeq(), row.version());
            assertFalse(db.kvGet("p", "app", b("x")).found());
        }
    }

    @Test
    void shouldCheckAssertionsAgainstLatestState()
    {
        try (AedbInstance db = TestSupport.open(dir))
        {
            TestSupport.usersTable(db);
            final long v1 = db.commit(kvSet("k", "v1")).commitSeq();
            final long r1 = db.commit(user(1, "alice")).commitSeq();
            db.commit(new TransactionEnvelope(null, null, List.of(new Assertion.KeyVersion("p", "app", b("k"), v1),
                new Assertion.KeyExists("p", "app", b("absent"), false), new Assertion.RowVersion("p", "app", "users",
                List.of(Value.integer(1)), r1), new Assertion.RowExists("p", "app", "users", List.of(Value.integer(2)), false)),
                List.of(kvSet("k", "v2"))));
            assertEquals("v2", s(db.kvGet("p", "app", b("k")).value()));
            final long head = db.headState().visibleHeadSeq();
            final AedbException stale = expect(ErrorCode.ASSERTION_FAILED, () -> db.commit(new TransactionEnvelope(null, null,
                List.of(new Assertion.KeyVersion("p", "app", b("k"), v1)), List.of(kvSet("k", "v3")))));
            assertTrue(stale.getMessage().contains("expected=" + v1), stale.getMessage());
            db.commit(new TransactionEnvelope(null, null, List.of(new Assertion.KeyVersion("p", "app", b("new"), 0)),
                List.of(kvSet("new", "1"))));
            expect(ErrorCode.ASSERTION_FAILED, () -> db.commit(new TransactionEnvelope(null, null,
                List.of(new Assertion.KeyVersion("p", "app", b("new"), 0)), List.of(kvSet("new", "2")))));
            expect(ErrorCode.ASSERTION_FAILED, () -> db.commit(new TransactionEnvelope(null, null,
                List.of(new Assertion.RowExists("p", "app", "users", List.of(Value.integer(1)), false)), List.of(user(1, "x")))));
            assertEquals(head + 1, db.headState().visibleHeadSeq(), "only the 'new' commit consumed a seq");
            assertEquals("1", s(db.kvGet("p", "app", b("new")).value()));
            assertEquals("v2", s(db.kvGet("p", "app", b("k")).value()));
        }
    }

    @Test
    void shouldReturnOriginalSeqForIdempotentRetryAlsoAfterReopen()
    {
        final byte[] key = b("request-42");
        final TransactionEnvelope env = new TransactionEnvelope(CallerContext.of("alice"), key, List.of(),
            List.of(kvSet("balance", "10")));
        final long seq;
        try (AedbInstance db = TestSupport.open(dir))
        {
            TestSupport.usersTable(db);
            final CommitResult first = db.commit(env);
            assertFalse(first.duplicate());
            seq = first.commitSeq();
            final CommitResult retry = db.commit(env);
            assertTrue(retry.duplicate());
            assertEquals(seq, retry.commitSeq());
            assertEquals(seq, db.headState().visibleHeadSeq(), "a duplicate applies nothing and consumes no seq");
            expect(ErrorCode.IDEMPOTENCY_KEY_REUSE, () -> db.commit(new TransactionEnvelope(CallerContext.of("alice"), key,
                List.of(), List.of(kvSet("balance", "99")))));
            final CommitResult bob = db.commit(new TransactionEnvelope(CallerContext.of("bob"), key, List.of(),
                List.of(kvSet("balance", "10"))));
            assertFalse(bob.duplicate(), "keys are scoped to the caller");
        }
        try (AedbInstance db = TestSupport.open(dir))
        {
            final CommitResult afterReopen = db.commit(env);
            assertTrue(afterReopen.duplicate());
            assertEquals(seq, afterReopen.commitSeq());
            expect(ErrorCode.IDEMPOTENCY_KEY_REUSE, () -> db.commit(new TransactionEnvelope(CallerContext.of("alice"), key,
                List.of(), List.of(kvSet("balance", "99")))));
            assertEquals("10", s(db.kvGet("p", "app", b("balance")).value()));
        }
    }

    /**
     * The window is the last N commits, counted by seq: a key is forgotten N commits after its own, also when no
     * other idempotent commit came between (the old lookup forgot a key only when a later idempotent commit was recorded).
     */
    @Test
    void shouldForgetAnIdempotencyKeyExactlyAfterTheWindowAlsoAfterReopen()
    {
        final int window = 5;
        final AedbConfig config = TestSupport.smallConfig().idempotencyWindowCommits(window);
        final byte[] key = b("request-7");
        final TransactionEnvelope env = new TransactionEnvelope(CallerContext.of("alice"), key, List.of(),
            List.of(kvSet("balance", "10")));
        final long first;
        try (AedbInstance db = AedbInstance.open(config, dir))
        {
            TestSupport.usersTable(db);
            first = db.commit(env).commitSeq();
            for (int i = 1; i < window; i++)
            {
                db.commit(kvSet("other", "v" + i));
            }
            // last seq = first + window - 1: commit `first` is still one of the last `window`
            final CommitResult retry = db.commit(env);
            assertTrue(retry.duplicate(), "inside the window");
            assertEquals(first, retry.commitSeq());
            db.commit(kvSet("other", "last"));
        }
        try (AedbInstance db = AedbInstance.open(config, dir))
        {
            // last seq = first + window: the key left the window with the commit before
            final CommitResult again = db.commit(env);
            assertFalse(again.duplicate(), "outside the window the key is forgotten");
            assertEquals(first + window + 1, again.commitSeq());
            assertTrue(db.commit(env).duplicate(), "and recorded again for the new commit");
        }
    }

    @Test
    void shouldCommitAsynchronouslyWithDenseSeqs() throws Exception
    {
        try (AedbInstance db = TestSupport.open(dir))
        {
            TestSupport.usersTable(db);
            final long head = db.headState().visibleHeadSeq();
            final List<java.util.concurrent.CompletableFuture<CommitResult>> futures = new java.util.ArrayList<>();
            for (int i = 0; i < 200; i++)
            {
                futures.add(db.commitAsync(TransactionEnvelope.of(kvSet("k" + i, "v" + i))));
            }
            final java.util.Set<Long> seqs = new java.util.TreeSet<>();
            for (final var f : futures)
            {
                final CommitResult r = f.get();
                seqs.add(r.commitSeq());
                assertTrue(r.durableHeadSeq() >= r.commitSeq(), "FULL acks only durable commits");
            }
            assertEquals(200, seqs.size());
            assertEquals(head + 1, seqs.iterator().next());
            assertEquals(head + 200, db.headState().durableHeadSeq());
        }
    }
}
