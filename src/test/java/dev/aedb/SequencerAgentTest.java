package dev.aedb;

import dev.aedb.agent.AgentHost;
import dev.aedb.commit.CommitEngine;
import dev.aedb.io.IoFaults;
import dev.aedb.model.AedbException;
import dev.aedb.model.CommitResult;
import dev.aedb.model.DdlOperation;
import dev.aedb.model.Durability;
import dev.aedb.model.ErrorCode;
import dev.aedb.model.Mutation;
import dev.aedb.model.TransactionEnvelope;
import dev.aedb.store.Store;

import org.agrona.concurrent.AgentInvoker;
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

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The sequencer agent stepped through an {@link AgentInvoker} (no thread of its own, no sleeps): a commit is
 * acknowledged by the duty cycle that applies it and not before; a close finishes what was queued even when nobody
 * invoked; an Error in a duty cycle ends the agent and fails every request it held, as on a thread; and a store whose
 * preparation agent is never invoked still grows (the writer makes its segments inline).
 */
class SequencerAgentTest
{
    private static final Duration TIMEOUT = Duration.ofSeconds(10);
    private static final byte[] BOOM = bytes("boom");

    @TempDir
    Path dir;
    private final AgentHost agents = AgentHost.invokers();
    private final TestFaults faults = new TestFaults();

    private static byte[] bytes(final String s)
    {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    private static TransactionEnvelope kvSet(final String key, final String value)
    {
        return TransactionEnvelope.of(new Mutation.KvSet("p", "app", bytes(key), bytes(value)));
    }

    private AedbConfig config()
    {
        return new AedbConfig().ioFaults(faults).storeSegmentBytes(1 << 20).maxValueBytes(64 * 1024).durability(Durability.OS_BUFFERED);
    }

    private static CommitResult acknowledged(final CompletableFuture<CommitResult> f) throws Exception
    {
        return f.get(TIMEOUT.toSeconds(), TimeUnit.SECONDS); // completed on a callback thread after the invoke
    }

    @Test
    void shouldAcknowledgeACommitOnlyWhenTheSequencerIsInvoked() throws Exception
    {
        try (AedbInstance db = AedbInstance.open(config(), dir, agents))
        {
            final AgentInvoker sequencer = agents.invoker(CommitEngine.SEQUENCER_ROLE_NAME);
            assertTrue(sequencer.isRunning());
            assertEquals(0, sequencer.invoke(), "an idle duty cycle finds no work");

            final CompletableFuture<CommitResult> ddl = db.commitAsync(
                TransactionEnvelope.of(new Mutation.Ddl(new DdlOperation.CreateProject("p", null, true))));
            assertFalse(ddl.isDone(), "queued, not applied: nothing runs the sequencer");
            assertEquals(0, db.headState().visibleHeadSeq());
            assertEquals(1, sequencer.invoke(), "one duty cycle drains and applies the one request");
            assertEquals(1, db.headState().visibleHeadSeq(), "published by the duty cycle itself");
            assertEquals(1, acknowledged(ddl).commitSeq());

            final List<CompletableFuture<CommitResult>> group = new ArrayList<>();
            for (int i = 0; i < 3; i++)
            {
                group.add(db.commitAsync(kvSet("k" + i, "v" + i)));
            }
            for (final CompletableFuture<CommitResult> f : group)
            {
                assertFalse(f.isDone());
            }
            assertFalse(db.kvGet("p", "app", bytes("k0")).found());
            assertEquals(3, sequencer.invoke(), "one group commit");
            for (int i = 0; i < 3; i++)
            {
                assertEquals(2 + i, acknowledged(group.get(i)).commitSeq());
                assertArrayEquals(bytes("v" + i), db.kvGet("p", "app", bytes("k" + i)).value());
            }
            assertEquals(0, sequencer.invoke());
        }
    }

    @Test
    void shouldFinishWhatWasQueuedWhenClosedWithoutBeingInvoked() throws Exception
    {
        final List<CompletableFuture<CommitResult>> queued = new ArrayList<>();
        try (AedbInstance db = AedbInstance.open(config(), dir, agents))
        {
            queued.add(db.commitAsync(TransactionEnvelope.of(new Mutation.Ddl(new DdlOperation.CreateProject("p", null, true)))));
            for (int i = 0; i < 10; i++)
            {
                queued.add(db.commitAsync(kvSet("k" + i, "v" + i)));
            }
            assertFalse(queued.get(0).isDone());
        }
        for (int i = 0; i < queued.size(); i++)
        {
            assertEquals(i + 1, acknowledged(queued.get(i)).commitSeq(), "close ran the remaining duty cycles");
        }
        assertTrue(agents.invoker(CommitEngine.SEQUENCER_ROLE_NAME).isClosed());
        assertTrue(agents.invoker(Store.PREPARATION_ROLE_NAME).isClosed());
        try (AedbInstance reopened = AedbInstance.open(config(), dir))
        {
            assertArrayEquals(bytes("v9"), reopened.kvGet("p", "app", bytes("k9")).value());
        }
    }

    @Test
    void shouldFailEveryRequestItHeldAndStopWhenAnInvokedDutyCycleMeetsAnError() throws Exception
    {
        final AedbInstance db = AedbInstance.open(config(), dir, agents);
        try
        {
            final AgentInvoker sequencer = agents.invoker(CommitEngine.SEQUENCER_ROLE_NAME);
            final CompletableFuture<CommitResult> ddl = db.commitAsync(
                TransactionEnvelope.of(new Mutation.Ddl(new DdlOperation.CreateProject("p", null, true))));
            sequencer.invoke();
            acknowledged(ddl);
            faults.crashAt(IoFaults.APPLY_BEFORE_MUTATION, m ->
            {
                if (m instanceof Mutation.KvSet x && Arrays.equals(x.key(), BOOM))
                {
                    throw new StackOverflowError("injected");
                }
            });
            final CompletableFuture<CommitResult> before = db.commitAsync(kvSet("before", "1"));
            final CompletableFuture<CommitResult> boom = db.commitAsync(TransactionEnvelope.of(new Mutation.KvSet("p", "app", BOOM, bytes("x"))));
            final CompletableFuture<CommitResult> after = db.commitAsync(kvSet("after", "2"));

            assertEquals(0, sequencer.invoke(), "the duty cycle ended the agent instead of returning work");
            assertTrue(sequencer.isClosed(), "an Error ends the agent; the invoker does not carry on");
            for (final CompletableFuture<CommitResult> f : List.of(before, boom, after))
            {
                final ExecutionException failed = assertThrows(ExecutionException.class,
                    () -> f.get(TIMEOUT.toSeconds(), TimeUnit.SECONDS));
                final AedbException cause = assertInstanceOf(AedbException.class, failed.getCause());
                assertEquals(ErrorCode.INTERNAL_ERROR, cause.code(), cause.getMessage());
                assertTrue(cause.getMessage().contains("StackOverflowError"), cause.getMessage());
            }
            assertEquals(ErrorCode.PREVIOUS_FAILURE,
                assertThrows(AedbException.class, () -> db.commitAsync(kvSet("later", "3"))).code());
            assertEquals(0, sequencer.invoke(), "a closed invoker does nothing");
        }
        finally
        {
            assertTimeoutPreemptively(TIMEOUT, db::close);
        }
        try (AedbInstance reopened = AedbInstance.open(new AedbConfig().storeSegmentBytes(1 << 20).maxValueBytes(64 * 1024), dir))
        {
            assertFalse(reopened.kvGet("p", "app", BOOM).found());
            assertFalse(reopened.kvGet("p", "app", bytes("after")).found());
            reopened.commit(TransactionEnvelope.of(new Mutation.KvSet("p", "app", bytes("reopened"), bytes("3"))));
        }
    }

    @Test
    void shouldGrowTheStoreInlineWhenItsPreparationAgentIsNeverInvoked() throws Exception
    {
        final byte[] value = new byte[4096];
        try (AedbInstance db = AedbInstance.open(config(), dir, agents))
        {
            final AgentInvoker sequencer = agents.invoker(CommitEngine.SEQUENCER_ROLE_NAME);
            final CompletableFuture<CommitResult> ddl = db.commitAsync(
                TransactionEnvelope.of(new Mutation.Ddl(new DdlOperation.CreateProject("p", null, true))));
            sequencer.invoke();
            acknowledged(ddl);
            final List<CompletableFuture<CommitResult>> writes = new ArrayList<>();
            for (int i = 0; i < 600; i++)
            {
                Arrays.fill(value, (byte)i);
                writes.add(db.commitAsync(TransactionEnvelope.of(new Mutation.KvSet("p", "app", bytes("big" + i), value.clone()))));
                if (i % 50 == 49)
                {
                    while (sequencer.invoke() > 0)
                    {
                        // drain everything queued so far
                    }
                }
            }
            for (final CompletableFuture<CommitResult> f : writes)
            {
                acknowledged(f);
            }
            assertTrue(db.storeStats().fileBytes() >= 2L << 20, "the store grew past its first segment: " + db.storeStats());
            final long segments = db.storeStats().fileBytes();
            // Only the segment after the current one can still be queued: every segment in use the writer made itself.
            assertTrue(agents.invoker(Store.PREPARATION_ROLE_NAME).invoke() <= 1);
            assertEquals(segments, db.storeStats().fileBytes());
            assertEquals((byte)599, db.kvGet("p", "app", bytes("big599")).value()[0], "value of the last write");
        }
    }
}
