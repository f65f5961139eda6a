package dev.aedb.store;

import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Relocation into key order ({@link KeySpace#relocateStep}): a key space filled in random order ends up with its
 * neighbours next to each other in memory, every read answers as before, during the pass and after it, and what a
 * reader standing on a moved record sees stays valid until no reader can reach it.
 */
class RelocationTest
{
    private static final int KEYS = 40_000;

    @TempDir
    Path dir;

    private static UnsafeBuffer key(final int i)
    {
        return new UnsafeBuffer(String.format("key-%08d", i).getBytes(StandardCharsets.US_ASCII));
    }

    private static int keyId(final KeySpace ks, final long node)
    {
        final byte[] k = new byte[ks.keyLength(node)];
        ks.keyBuffer(node).getBytes(ks.keyOffset(node), k);
        return Integer.parseInt(new String(k, StandardCharsets.US_ASCII).substring(4));
    }

    /** Fraction of records lying within {@link KeySpace#NEAR_BYTES} after their predecessor in key order. */
    private static double neighbourly(final KeySpace ks)
    {
        final long[] counts = breaks(ks);
        return counts[1] == 0 ? 1 : (counts[1] - counts[0]) / (double)counts[1];
    }

    /** {breaks, pairs}: of the pairs of key-order neighbours, how many do not lie within {@link KeySpace#NEAR_BYTES}. */
    private static long[] breaks(final KeySpace ks)
    {
        long previous = 0;
        long breaks = 0;
        long all = 0;
        for (long node = ks.first(); node != 0; node = ks.next(node))
        {
            if (previous != 0)
            {
                all++;
                final long d = node - previous;
                if (d <= 0 || d > KeySpace.NEAR_BYTES)
                {
                    breaks++;
                }
            }
            previous = node;
        }
        return new long[] {breaks, all};
    }

    private static void put(final KeySpace ks, final TreeMap<Integer, Integer> model, final int k, final long seq,
        final boolean[] created, final UnsafeBuffer value)
    {
        final UnsafeBuffer kb = key(k);
        final long node = ks.findOrInsert(kb, 0, kb.capacity(), created);
        value.putInt(0, (int)seq);
        ks.push(node, seq, false, value, 0, value.capacity());
        model.put(k, (int)seq);
    }

    /**
     * Puts {@code keys} distinct random keys of eight digits (so string order is numeric order) with 16-byte values,
     * one seq each, and publishes the last.
     *
     * @return the last seq.
     */
    private static long loadRandom(final Store store, final KeySpace ks, final TreeMap<Integer, Integer> model, final int keys,
        final long seed)
    {
        final boolean[] created = new boolean[1];
        final UnsafeBuffer value = new UnsafeBuffer(new byte[16]);
        final Random random = new Random(seed);
        long seq = 0;
        while (model.size() < keys)
        {
            put(ks, model, random.nextInt(100_000_000), ++seq, created, value);
        }
        store.publishVisible(seq);
        return seq;
    }

    @Test
    void shouldMoveRandomlyInsertedKeysIntoKeyOrderWhileWritesGoOn()
    {
        final long seed = Long.getLong("aedb.relocation.seed", System.nanoTime());
        System.out.println("RelocationTest seed: -Daedb.relocation.seed=" + seed);
        final Random random = new Random(seed);
        try (Store store = new Store(dir, 1 << 20, 8, 0))
        {
            final KeySpace ks = store.newKeySpace();
            final TreeMap<Integer, Integer> model = new TreeMap<>();
            final boolean[] created = new boolean[1];
            final UnsafeBuffer value = new UnsafeBuffer(new byte[100]);
            long seq = 0;
            final List<Integer> order = new ArrayList<>();
            for (int k = 0; k < KEYS; k++)
            {
                order.add(k * 2); // odd keys are left for inserts during the pass
            }
            java.util.Collections.shuffle(order, random);
            for (final int k : order)
            {
                put(ks, model, k, ++seq, created, value);
            }
            store.publishVisible(seq);
            assertTrue(neighbourly(ks) < 0.05, "seed=" + seed + ": random inserts should be scattered, " + neighbourly(ks));
            assertTrue(store.relocationPending() && ks.relocationWanted(), "seed=" + seed + ": a pass should be wanted");
            final long allocated = store.arena().allocatedBytes();

            int steps = 0;
            while (store.relocationPending())
            {
                assertTrue(store.relocate(64) > 0 || !store.relocationPending(), "seed=" + seed + ": a step did nothing");
                steps++;
                // Between steps the writer goes on: updates, inserts anywhere (odd keys), deletes the sweeper unlinks.
                for (int n = 0; n < 8; n++)
                {
                    final int op = random.nextInt(10);
                    seq++;
                    if (op < 6)
                    {
                        put(ks, model, random.nextInt(KEYS) * 2, seq, created, value);
                    }
                    else if (op < 9)
                    {
                        put(ks, model, random.nextInt(KEYS) * 2 + 1, seq, created, value);
                    }
                    else
                    {
                        final Integer k = model.ceilingKey(random.nextInt(2 * KEYS));
                        if (k != null)
                        {
                            final UnsafeBuffer kb = key(k);
                            final long node = ks.find(kb, 0, kb.capacity());
                            ks.push(node, seq, true, value, 0, 0);
                            ks.markGarbage(node, seq);
                            model.remove(k);
                        }
                    }
                    final UnsafeBuffer kb = key(random.nextInt(2 * KEYS));
                    final long node = ks.find(kb, 0, kb.capacity());
                    if (node != 0 && ks.trim(node, seq) > 1)
                    {
                        ks.markGarbage(node, seq);
                    }
                }
                store.publishVisible(seq);
                store.reclaim();
                store.sweep(16);
                if (steps % 200 == 0)
                {
                    check(ks, model, seq, seed);
                }
                assertTrue(steps < 100_000, "seed=" + seed + ": the pass does not end");
            }
            assertFalse(ks.relocating());
            check(ks, model, seq, seed);
            KeySpaceTest.checkLevels(ks, seed);
            assertTrue(ks.relocatedRecords() > KEYS * 0.9, "seed=" + seed + ": moved " + ks.relocatedRecords());
            final double after = neighbourly(ks);
            assertTrue(after > 0.9, "seed=" + seed + ": after the pass only " + after + " of the records lie next to their neighbours");
            store.reclaim();
            while (store.sweep(4096) > 0)
            {
                store.reclaim();
            }
            store.reclaim();
            assertEquals(0, store.pendingRetired(), "seed=" + seed + ": moved records were not freed");
            // The pass allocated copies and freed the originals: live bytes grow only by what the writes added.
            assertTrue(store.arena().allocatedBytes() < allocated * 1.3,
                "seed=" + seed + ": allocated " + store.arena().allocatedBytes() + " after, " + allocated + " before");
            // A second pass finds the key space in order: it is not wanted, and a forced one moves only runs of records
            // inserted behind the first pass's cursor, at most one per break in the order (a record out of place makes
            // two: its own and its successor's), and leaves no more breaks than it found.
            assertFalse(ks.relocationWanted(), "seed=" + seed);
            final long breaks = breaks(ks)[0];
            final long moved = ks.relocatedRecords();
            while (ks.relocateStep(64) > 0 && ks.relocating())
            {
                // walk on
            }
            assertTrue(ks.relocatedRecords() - moved <= breaks && breaks < KEYS / 10,
                "seed=" + seed + ": a pass over " + breaks + " breaks moved " + (ks.relocatedRecords() - moved));
            assertTrue(breaks(ks)[0] <= breaks, "seed=" + seed + ": " + breaks(ks)[0] + " breaks after the second pass, " + breaks + " before");
            System.out.println("RelocationTest: second pass over " + breaks + " breaks moved " + (ks.relocatedRecords() - moved)
                + ", " + breaks(ks)[0] + " breaks after");
        }
    }

    /** A reader standing on a record when it moves still reads the key and versions it saw, until it lets go. */
    @Test
    void shouldKeepMovedRecordsReadableUntilNoReaderCanReachThem()
    {
        try (Store store = new Store(dir, 1 << 20, 8, 0))
        {
            final KeySpace ks = store.newKeySpace();
            final TreeMap<Integer, Integer> model = new TreeMap<>();
            final boolean[] created = new boolean[1];
            final UnsafeBuffer value = new UnsafeBuffer(new byte[100]);
            final Random random = new Random(7);
            long seq = 0;
            for (int n = 0; n < 5_000; n++)
            {
                put(ks, model, random.nextInt(1_000_000), ++seq, created, value);
            }
            store.publishVisible(seq);
            final long pinnedSeq = seq;
            final int slot = store.registry().claim(pinnedSeq);
            final List<Long> nodes = new ArrayList<>();
            for (long node = ks.first(); node != 0; node = ks.next(node))
            {
                nodes.add(node);
            }
            while (ks.relocateStep(64) > 0 && ks.relocating())
            {
                put(ks, model, random.nextInt(1_000_000), ++seq, created, value); // newer than the reader's seq
                store.publishVisible(seq);
                store.reclaim();
            }
            assertTrue(ks.relocatedRecords() > 4_000, "moved " + ks.relocatedRecords());
            assertTrue(store.pendingRetired() > 0, "moved records are retired, not freed, while the reader is on them");
            for (final long node : nodes)
            {
                final long v = ks.versionAt(node, pinnedSeq);
                assertTrue(v != 0, "the old record still leads to its version");
                assertEquals(ks.versionSeq(v), ks.payloadBuffer(v).getInt(ks.payloadOffset(v)), "the version is intact");
                final long next = ks.next(node);
                assertTrue(next == 0 || keyId(ks, next) > keyId(ks, node), "the old record's successor still follows it");
            }
            store.registry().release(slot);
            store.reclaim();
            store.reclaim();
            assertEquals(0, store.pendingRetired(), "released once the reader let go");
            check(ks, model, seq, 0);
        }
    }

    /** A reader that stays holds back freeing: relocation pauses at a bounded retire list instead of growing it. */
    @Test
    void shouldPauseWhileALongReaderHoldsBackWhatItRetired()
    {
        try (Store store = new Store(dir, 1 << 22, 8, 0))
        {
            final KeySpace ks = store.newKeySpace();
            final TreeMap<Integer, Integer> model = new TreeMap<>();
            final long seq = loadRandom(store, ks, model, Store.RELOCATE_MAX_RETIRED, 11);
            final int slot = store.registry().claim(seq);
            int steps = 0;
            while (store.relocate(64) > 0)
            {
                store.reclaim();
                assertTrue(++steps < 10_000, "relocation never paused");
            }
            assertTrue(store.relocationPending(), "paused, not finished");
            assertTrue(store.pendingRetired() <= Store.RELOCATE_MAX_RETIRED + 2 * 64 + 1, "retired " + store.pendingRetired());
            store.registry().release(slot);
            store.reclaim();
            while (store.relocate(64) > 0)
            {
                store.reclaim();
            }
            assertFalse(store.relocationPending(), "resumed and finished once the reader let go");
            assertTrue(ks.relocatedRecords() > model.size() * 0.9, "moved " + ks.relocatedRecords());
            check(ks, model, seq, 0);
        }
    }

    /**
     * A reader that pins the same visible head back to back (a read-only workload: no commit moves the head, and some
     * read is under way whenever the writer looks) does not hold back freeing what relocation unlinked: grace periods
     * end with the reads under way at their start, so the pass never stalls at its bound on retired blocks, and what
     * it retired is freed with no commit at all. With the seq rule alone, nothing here could ever be freed.
     */
    @Test
    void shouldFreeWhatItMovedWhileReadsOfTheSameHeadFollowEachOther()
    {
        try (Store store = new Store(dir, 1 << 22, 8, 0))
        {
            final KeySpace ks = store.newKeySpace();
            final TreeMap<Integer, Integer> model = new TreeMap<>();
            final long seq = loadRandom(store, ks, model, 2 * Store.RELOCATE_MAX_RETIRED, 13);
            final long head = seq;
            int slot = store.registry().claim(head);
            long maxRetired = 0;
            int steps = 0;
            long node = ks.first();
            while (store.relocationPending())
            {
                store.relocate(64);
                for (int n = 0; n < 16 && node != 0; n++)
                {
                    node = ks.next(node); // the read under way walks on over records that move
                }
                if (node == 0)
                {
                    store.registry().release(slot); // this read ends; the next one starts at the same head
                    slot = store.registry().claim(head);
                    node = ks.first();
                }
                store.reclaim();
                maxRetired = Math.max(maxRetired, store.pendingRetired());
                assertTrue(++steps < 100_000, "the pass stalled with " + store.pendingRetired() + " blocks retired");
            }
            store.registry().release(slot);
            store.reclaim();
            assertEquals(0, store.pendingRetired(), "freed once the last read ended, with no commit");
            System.out.println("RelocationTest same head: " + ks.relocatedRecords() + " moved in " + steps
                + " steps, at most " + maxRetired + " blocks waiting");
            assertEquals(head, store.visibleHead(), "no commit moved the head");
            assertTrue(ks.relocatedRecords() > model.size() * 0.9, "moved " + ks.relocatedRecords());
            check(ks, model, seq, 0);
        }
    }

    /** Readers scanning and looking keys up in another thread while the writer moves records and writes. */
    @Test
    void shouldAnswerConcurrentReadersCorrectlyWhileRecordsMove() throws Exception
    {
        final long seed = Long.getLong("aedb.relocation.seed", System.nanoTime());
        System.out.println("RelocationTest concurrent seed: -Daedb.relocation.seed=" + seed);
        final Random random = new Random(seed);
        try (Store store = new Store(dir, 1 << 20, 8, 0))
        {
            final KeySpace ks = store.newKeySpace();
            final TreeMap<Integer, Integer> model = new TreeMap<>();
            final boolean[] created = new boolean[1];
            final UnsafeBuffer value = new UnsafeBuffer(new byte[100]);
            final int initial = 20_000;
            final List<Integer> order = new ArrayList<>();
            for (int k = 0; k < initial; k++)
            {
                order.add(k * 2);
            }
            java.util.Collections.shuffle(order, random);
            long seq = 0;
            for (final int k : order)
            {
                put(ks, model, k, ++seq, created, value);
            }
            store.publishVisible(seq);
            final AtomicBoolean done = new AtomicBoolean();
            final AtomicReference<String> failure = new AtomicReference<>();
            final int[] scans = new int[1];
            final Thread reader = new Thread(() ->
            {
                final Random r = new Random(seed + 1);
                while (!done.get() && failure.get() == null)
                {
                    final long at = store.visibleHead();
                    final int slot = store.registry().claim(at);
                    if (slot < 0)
                    {
                        continue;
                    }
                    try
                    {
                        if (store.registry().horizon() > at)
                        {
                            continue; // claimed below the horizon: as Reads does, try again
                        }
                        int previous = -1;
                        int evens = 0;
                        for (long node = ks.first(); node != 0; node = ks.next(node))
                        {
                            final int id = keyId(ks, node);
                            if (id <= previous)
                            {
                                failure.set("scan at " + at + ": " + id + " after " + previous);
                                break;
                            }
                            previous = id;
                            final long v = ks.liveVersionAt(node, at);
                            if (v != 0 && ks.payloadBuffer(v).getInt(ks.payloadOffset(v)) != (int)ks.versionSeq(v))
                            {
                                failure.set("scan at " + at + ": key " + id + " has a damaged version");
                            }
                            if ((id & 1) == 0 && v != 0)
                            {
                                evens++;
                            }
                        }
                        if (failure.get() == null && evens != initial)
                        {
                            failure.set("scan at " + at + " saw " + evens + " of the " + initial + " initial keys");
                        }
                        for (int n = 0; n < 200 && failure.get() == null; n++)
                        {
                            final int k = r.nextInt(initial) * 2;
                            final UnsafeBuffer kb = key(k);
                            final long node = ks.find(kb, 0, kb.capacity());
                            if (node == 0 || ks.liveVersionAt(node, at) == 0 || keyId(ks, node) != k)
                            {
                                failure.set("get at " + at + ": key " + k + " not found");
                            }
                        }
                        scans[0]++;
                    }
                    finally
                    {
                        store.registry().release(slot);
                    }
                }
            }, "relocation-reader");
            reader.start();
            try
            {
                assertTrue(store.relocationPending(), "seed=" + seed);
                while (store.relocationPending() && failure.get() == null)
                {
                    store.relocate(16);
                    for (int n = 0; n < 4; n++)
                    {
                        seq++;
                        put(ks, model, random.nextInt(2) == 0 ? random.nextInt(initial) * 2 : random.nextInt(initial) * 2 + 1,
                            seq, created, value);
                    }
                    store.publishVisible(seq);
                    store.reclaim();
                    store.sweep(16);
                }
            }
            finally
            {
                done.set(true);
                reader.join();
            }
            assertNull(failure.get(), "seed=" + seed + ": " + failure.get());
            System.out.println("RelocationTest concurrent: " + scans[0] + " scans while " + ks.relocatedRecords() + " records moved");
            assertTrue(scans[0] > 0, "seed=" + seed + ": the reader never completed a scan");
            check(ks, model, seq, seed);
        }
    }

    private static void check(final KeySpace ks, final TreeMap<Integer, Integer> model, final long seq, final long seed)
    {
        for (final var e : model.entrySet())
        {
            final UnsafeBuffer kb = key(e.getKey());
            final long node = ks.find(kb, 0, kb.capacity());
            assertTrue(node != 0, "seed=" + seed + " key " + e.getKey() + " missing from the hash index");
            final long v = ks.liveVersionAt(node, seq);
            assertTrue(v != 0, "seed=" + seed + " key " + e.getKey() + " has no live version");
            assertEquals((int)e.getValue(), ks.payloadBuffer(v).getInt(ks.payloadOffset(v)), "seed=" + seed + " key " + e.getKey());
        }
        int count = 0;
        int previous = -1;
        for (long node = ks.first(); node != 0; node = ks.next(node))
        {
            if (ks.liveVersionAt(node, seq) == 0)
            {
                continue;
            }
            final int id = keyId(ks, node);
            assertTrue(id > previous, "seed=" + seed + " scan out of order at " + id);
            assertTrue(model.containsKey(id), "seed=" + seed + " key " + id + " should be absent");
            previous = id;
            count++;
        }
        assertEquals(model.size(), count, "seed=" + seed);
    }
}
