package dev.aedb.store;

import dev.aedb.agent.AgentHost;

import org.agrona.concurrent.AgentInvoker;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The store's preparation agent, stepped through an {@link AgentInvoker}: work it runs is what the writer then uses;
 * work it never runs is done by the writer inline when it needs the result, and is then never run by the agent.
 */
class PreparationAgentTest
{
    private static final int SEGMENT_BYTES = 1 << 20;
    private static final int BLOCK = 4096;

    @TempDir
    Path dir;

    private static AgentInvoker startInvoked(final Store store)
    {
        final AgentHost host = AgentHost.invokers();
        store.startPreparation(host);
        return host.invoker(Store.PREPARATION_ROLE_NAME);
    }

    /** Allocates blocks until the arena has queued its next segment (past half of the first). */
    private static void fillHalfTheFirstSegment(final Arena arena)
    {
        for (int used = Arena.SEGMENT_HEADER_LENGTH; used <= SEGMENT_BYTES / 2 + BLOCK; used += BLOCK)
        {
            arena.allocate(BLOCK);
        }
    }

    private static void fillToTheSecondSegment(final Arena arena)
    {
        while (arena.fileBytes() == SEGMENT_BYTES)
        {
            arena.allocate(BLOCK);
        }
    }

    @Test
    void shouldCreateTheNextSegmentOnTheAgentAndUseItWhenInvoked()
    {
        try (Store store = new Store(dir, SEGMENT_BYTES, 8, 0))
        {
            final AgentInvoker invoker = startInvoked(store);
            final Arena arena = store.arena();
            final Path next = dir.resolve("arena-000001.seg");
            assertEquals(0, invoker.invoke(), "nothing queued yet");
            fillHalfTheFirstSegment(arena);
            assertFalse(Files.exists(next), "queued, not made: nothing runs until invoked");
            assertEquals(1, invoker.invoke());
            assertTrue(Files.exists(next), "made by the agent ahead of need");
            assertEquals(SEGMENT_BYTES, arena.fileBytes(), "not part of the arena before the writer needs it");
            // The writer adopts it: creating it again inline would fail (CREATE_NEW) with DISK_FULL.
            fillToTheSecondSegment(arena);
            assertEquals(2L * SEGMENT_BYTES, arena.fileBytes());
            assertEquals(0, invoker.invoke());
        }
    }

    @Test
    void shouldCreateTheNextSegmentInlineWhenTheAgentNeverRuns()
    {
        try (Store store = new Store(dir, SEGMENT_BYTES, 8, 0))
        {
            final AgentInvoker invoker = startInvoked(store);
            final Arena arena = store.arena();
            fillHalfTheFirstSegment(arena);
            fillToTheSecondSegment(arena);
            assertEquals(2L * SEGMENT_BYTES, arena.fileBytes(), "the writer did not wait for the agent");
            assertTrue(Files.exists(dir.resolve("arena-000001.seg")));
            assertEquals(0, invoker.invoke(), "the writer took the queued work: the agent has nothing to run");
        }
    }

    @Test
    void shouldGrowWithoutAnyAgentWhenPreparationIsNeverStarted()
    {
        try (Store store = new Store(dir, SEGMENT_BYTES, 8, 0))
        {
            final Arena arena = store.arena();
            fillHalfTheFirstSegment(arena);
            fillToTheSecondSegment(arena);
            assertEquals(2L * SEGMENT_BYTES, arena.fileBytes());
        }
    }

    private static UnsafeBuffer key(final int i)
    {
        return new UnsafeBuffer(String.format("pk-%09d", i).getBytes(StandardCharsets.US_ASCII));
    }

    /**
     * Grows a key space's hash index to 256 Ki slots, the first size allocated ahead (at 3/8 load of 64 Ki slots),
     * invoking the agent once at {@code invokeAt} keys if that is not negative.
     */
    private static void growHashIndex(final KeySpace ks, final AgentInvoker invoker, final int invokeAt, final int keys)
    {
        final boolean[] created = new boolean[1];
        for (int i = 0; i < keys; i++)
        {
            if (i == invokeAt)
            {
                assertEquals(1, invoker.invoke(), "the next table was queued before " + invokeAt + " keys");
            }
            final UnsafeBuffer kb = key(i);
            ks.findOrInsert(kb, 0, kb.capacity(), created);
            assertTrue(created[0]);
        }
        assertEquals(1 << 18, ks.hashIndexCapacity());
        for (int i = 0; i < keys; i++)
        {
            final UnsafeBuffer kb = key(i);
            assertNotEquals(0L, ks.find(kb, 0, kb.capacity()), "key " + i);
        }
    }

    @Test
    void shouldAllocateTheNextHashTableOnTheAgentWhenInvoked()
    {
        // Segments large enough that the arena queues nothing of its own during the test.
        try (Store store = new Store(dir, 16 << 20, 8, 0))
        {
            final AgentInvoker invoker = startInvoked(store);
            final KeySpace ks = store.newKeySpace();
            growHashIndex(ks, invoker, 30_000, 40_000);
            assertEquals(0, invoker.invoke());
        }
    }

    @Test
    void shouldAllocateTheNextHashTableInlineWhenTheAgentNeverRuns()
    {
        try (Store store = new Store(dir, 16 << 20, 8, 0))
        {
            final AgentInvoker invoker = startInvoked(store);
            final KeySpace ks = store.newKeySpace();
            growHashIndex(ks, invoker, -1, 40_000);
            assertEquals(0, invoker.invoke(), "the writer took the queued table: the agent has nothing to run");
        }
    }
}
