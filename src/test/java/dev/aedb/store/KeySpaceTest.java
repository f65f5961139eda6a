package dev.aedb.store;

import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Random;
import java.util.TreeMap;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Skip list, hash index, version chains and reclamation driven directly, checked against a TreeMap model:
 * inserts that grow the hash index, deletes that the sweeper unlinks, re-inserts of swept keys, and ordered scans.
 */
class KeySpaceTest
{
    @TempDir
    Path dir;

    private static UnsafeBuffer key(final int i)
    {
        return new UnsafeBuffer(String.format("key-%08d", i).getBytes(StandardCharsets.US_ASCII));
    }

    @Test
    void shouldMatchTheModelThroughGrowthDeletesSweepsAndReinserts()
    {
        final long seed = Long.getLong("aedb.keyspace.seed", System.nanoTime());
        System.out.println("KeySpaceTest seed: -Daedb.keyspace.seed=" + seed);
        final Random random = new Random(seed);
        try (Store store = new Store(dir, 1 << 20, 8, 0))
        {
            final KeySpace ks = store.newKeySpace();
            final TreeMap<Integer, Integer> model = new TreeMap<>();
            final boolean[] created = new boolean[1];
            final UnsafeBuffer value = new UnsafeBuffer(new byte[4]);
            long seq = 0;
            for (int round = 0; round < 6; round++)
            {
                for (int n = 0; n < 20_000; n++)
                {
                    final int k = random.nextInt(30_000);
                    seq++;
                    write(store, ks, model, k, seq, random.nextInt(3) == 0, value, created);
                    store.publishVisible(seq);
                    if (n % 1000 == 0)
                    {
                        store.reclaim();
                    }
                    if (n % 700 == 0 && seq > 300)
                    {
                        ks.sweep(512, seq - 300); // as if a reader pinned seq - 300: visits must re-queue what they keep
                    }
                }
                store.reclaim();
                while (store.sweep(4096) > 0)
                {
                    store.reclaim();
                }
                check(ks, model, seq, seed);
                checkFullySwept(ks, seed);
            }
            assertTrue(store.arena().freeBytes() > 0, "sweeping must have freed blocks for reuse");
        }
    }

    /**
     * The writer's search starts from the last key's path: runs of ascending and descending keys, two interleaved
     * ascending runs, random keys, existing keys and deletes the sweeper unlinks (which search too), after each of which
     * every level of the skip list must link exactly the records that reach it, in key order.
     */
    @Test
    void shouldKeepEveryLevelLinkedInOrderWhateverTheOrderOfInserts()
    {
        final long seed = Long.getLong("aedb.keyspace.seed", System.nanoTime());
        System.out.println("KeySpaceTest path seed: -Daedb.keyspace.seed=" + seed);
        final Random random = new Random(seed);
        try (Store store = new Store(dir, 1 << 20, 8, 0))
        {
            final KeySpace ks = store.newKeySpace();
            final TreeMap<Integer, Integer> model = new TreeMap<>();
            final boolean[] created = new boolean[1];
            final UnsafeBuffer value = new UnsafeBuffer(new byte[4]);
            long seq = 0;
            for (int round = 0; round < 24; round++)
            {
                final int pattern = random.nextInt(5);
                int a = random.nextInt(KEYS);
                int b = random.nextInt(KEYS);
                for (int n = 0; n < 1500; n++)
                {
                    final int k;
                    switch (pattern)
                    {
                        case 0 -> k = a = Math.min(KEYS - 1, a + 1 + random.nextInt(3)); // ascending
                        case 1 -> k = a = Math.max(0, a - 1 - random.nextInt(3)); // descending
                        case 2 -> k = (n & 1) == 0 ? (a = (a + 1) % KEYS) : (b = (b + 1) % KEYS); // two interleaved
                        case 3 -> k = random.nextInt(KEYS);
                        default ->
                        {
                            final Integer existing = model.ceilingKey(random.nextInt(KEYS)); // mostly existing keys
                            k = existing == null ? random.nextInt(KEYS) : existing;
                        }
                    }
                    seq++;
                    write(store, ks, model, k, seq, random.nextInt(8) == 0, value, created);
                    store.publishVisible(seq);
                    if (n % 250 == 0)
                    {
                        store.reclaim();
                        ks.sweep(64, seq); // unlinks between the inserts of a run
                    }
                }
                check(ks, model, seq, seed, KEYS);
                checkLevels(ks, seed);
            }
        }
    }

    /**
     * The scan prefetch's anchors: from random start keys of a key space filled in random order, {@code seekAnchor} is
     * the first record at or after the key linked at the anchor level, {@code prefetch} returns the anchor as many
     * steps on as it has lanes (the scan's next refill point), and a long walk of level 0 meets refill point after
     * refill point, each an anchor.
     */
    @Test
    void shouldPrefetchAlongTheAnchorsAndReturnTheRefillPoint()
    {
        final long seed = Long.getLong("aedb.keyspace.seed", System.nanoTime());
        System.out.println("KeySpaceTest prefetch seed: -Daedb.keyspace.seed=" + seed);
        final Random random = new Random(seed);
        try (Store store = new Store(dir, 1 << 20, 8, 0))
        {
            final KeySpace ks = store.newKeySpace();
            final TreeMap<Integer, Integer> model = new TreeMap<>();
            final boolean[] created = new boolean[1];
            final UnsafeBuffer value = new UnsafeBuffer(new byte[4]);
            long seq = 0;
            for (int n = 0; n < 20_000; n++)
            {
                seq++;
                write(store, ks, model, random.nextInt(KEYS), seq, random.nextInt(10) == 0, value, created);
                store.publishVisible(seq);
            }
            assertTrue(ks.topLevel() > KeySpace.ANCHOR_LEVEL, "seed=" + seed + ": too few levels for anchors");
            for (int probe = 0; probe < 300; probe++)
            {
                final UnsafeBuffer kb = key(random.nextInt(KEYS));
                final long node = ks.seek(kb, 0, kb.capacity(), true);
                final long anchor = ks.seekAnchor(kb, 0, kb.capacity(), true);
                long expected = node;
                while (expected != 0 && ks.keyBuffer(expected).getInt(Arena.offset(expected) + NodeDescriptor.LEVEL_OFFSET)
                    <= KeySpace.ANCHOR_LEVEL)
                {
                    expected = ks.next(expected);
                }
                assertEquals(expected, anchor, "seed=" + seed + " probe " + probe + ": first anchor at or after the key");
                if (node == 0)
                {
                    continue;
                }
                final int entries = KeySpace.PREFETCH_MIN_ENTRIES + random.nextInt(300);
                final int lanes = Math.min(KeySpace.PREFETCH_LANES, entries / 16 + 1);
                long refillAt = anchor == node ? ks.nextAnchor(anchor) : anchor;
                for (int i = 1; i < lanes && refillAt != 0; i++)
                {
                    refillAt = ks.nextAnchor(refillAt);
                }
                long refill = ks.prefetch(node, anchor, entries);
                assertEquals(refillAt, refill, "seed=" + seed + " probe " + probe + ": refill point for " + entries);
                // the scan's loop: every refill point it meets is an anchor, and a long walk meets them
                int refills = 0;
                int visited = 0;
                for (long x = node; x != 0 && visited < 2000; x = ks.next(x), visited++)
                {
                    if (x == refill)
                    {
                        assertTrue(ks.keyBuffer(x).getInt(Arena.offset(x) + NodeDescriptor.LEVEL_OFFSET) > KeySpace.ANCHOR_LEVEL,
                            "seed=" + seed + " probe " + probe + ": refill point is not an anchor");
                        refill = ks.prefetch(x, ks.nextAnchor(x), entries);
                        refills++;
                    }
                }
                // unless the first prefetch already reached the last anchor (refill point 0): then nothing is left to refill
                assertTrue(visited < 200 || refills > 0 || refillAt == 0, "seed=" + seed + " probe " + probe + ": a long scan must refill");
            }
            assertEquals(0, ks.prefetch(0, ks.firstAnchor(), 100), "no record, nothing to prefetch");
            assertEquals(0, ks.prefetch(ks.first(), 0, 100), "no anchor, nothing to prefetch");
        }
    }

    private static final int KEYS = 40_000;

    /**
     * Deletes key {@code k} at {@code seq} (a tombstone, when it is live) or sets it to {@code seq}, trimming and
     * queueing for the sweeper as the applier does, and mirrors it in the model.
     */
    private static void write(final Store store, final KeySpace ks, final TreeMap<Integer, Integer> model, final int k,
        final long seq, final boolean delete, final UnsafeBuffer value, final boolean[] created)
    {
        final UnsafeBuffer kb = key(k);
        if (delete)
        {
            final long node = ks.find(kb, 0, kb.capacity());
            if (node != 0 && ks.newest(node) != 0 && !ks.isTombstone(ks.newest(node)))
            {
                ks.push(node, seq, true, value, 0, 0);
                ks.markGarbage(node, seq);
            }
            model.remove(k);
        }
        else
        {
            final long node = ks.findOrInsert(kb, 0, kb.capacity(), created);
            value.putInt(0, (int)seq);
            ks.push(node, seq, false, value, 0, 4);
            if (ks.trim(node, store.effectiveHorizon()) > 1)
            {
                ks.markGarbage(node, seq);
            }
            model.put(k, (int)seq);
        }
    }

    /** Every level i links, in strictly ascending key order, exactly the level-0 records of more than i levels. */
    static void checkLevels(final KeySpace ks, final long seed)
    {
        final java.util.List<Long> all = new java.util.ArrayList<>();
        for (long node = ks.first(); node != 0; node = ks.next(node))
        {
            all.add(node);
        }
        for (int level = 0; level < NodeDescriptor.MAX_LEVEL; level++)
        {
            final java.util.List<Long> want = new java.util.ArrayList<>();
            for (final long node : all)
            {
                if (ks.keyBuffer(node).getInt(Arena.offset(node) + NodeDescriptor.LEVEL_OFFSET) > level)
                {
                    want.add(node);
                }
            }
            final java.util.List<Long> got = new java.util.ArrayList<>();
            long previous = 0;
            for (long node = nextAt(ks, ks.head(), level); node != 0; node = nextAt(ks, node, level))
            {
                if (previous != 0)
                {
                    assertTrue(compare(ks, previous, node) < 0, "seed=" + seed + " level " + level + " out of order");
                }
                got.add(node);
                previous = node;
                assertTrue(got.size() <= all.size(), "seed=" + seed + " level " + level + " has a cycle");
            }
            assertEquals(want, got, "seed=" + seed + " level " + level);
        }
    }

    private static long nextAt(final KeySpace ks, final long node, final int level)
    {
        return ks.keyBuffer(node).getLongVolatile(Arena.offset(node) + NodeDescriptor.NEXT_OFFSET + 8 * level);
    }

    private static int compare(final KeySpace ks, final long a, final long b)
    {
        return KeySpace.compareKeys(ks.keyBuffer(a), ks.keyOffset(a), ks.keyLength(a), ks.keyBuffer(b), ks.keyOffset(b),
            ks.keyLength(b));
    }

    private static void check(final KeySpace ks, final TreeMap<Integer, Integer> model, final long seq, final long seed)
    {
        check(ks, model, seq, seed, 30_000);
    }

    private static void check(final KeySpace ks, final TreeMap<Integer, Integer> model, final long seq, final long seed,
        final int keys)
    {
        for (int k = 0; k < keys; k++)
        {
            final UnsafeBuffer kb = key(k);
            final long node = ks.find(kb, 0, kb.capacity());
            final long v = node == 0 ? 0 : ks.liveVersionAt(node, seq);
            final Integer expected = model.get(k);
            if (expected == null)
            {
                assertEquals(0, v, "seed=" + seed + " key " + k + " should be absent");
            }
            else
            {
                assertTrue(v != 0, "seed=" + seed + " key " + k + " missing");
                assertEquals((int)expected, ks.payloadBuffer(v).getInt(ks.payloadOffset(v)), "seed=" + seed + " key " + k);
            }
        }
        int count = 0;
        int previous = -1;
        for (long node = ks.first(); node != 0; node = ks.next(node))
        {
            final long v = ks.liveVersionAt(node, seq);
            if (v == 0)
            {
                continue;
            }
            final byte[] k = new byte[ks.keyLength(node)];
            ks.keyBuffer(node).getBytes(ks.keyOffset(node), k);
            final int id = Integer.parseInt(new String(k, StandardCharsets.US_ASCII).substring(4));
            assertTrue(id > previous, "scan out of order at " + id);
            previous = id;
            count++;
        }
        assertEquals(model.size(), count, "seed=" + seed);
    }

    /** With no reader and no retained commits, a drained sweep leaves one live version per key and no dead record. */
    private static void checkFullySwept(final KeySpace ks, final long seed)
    {
        assertEquals(0, ks.sweepQueueSize(), "seed=" + seed + " sweep queue not drained");
        for (long node = ks.first(); node != 0; node = ks.next(node))
        {
            final long newest = ks.newest(node);
            assertTrue(newest != 0 && !ks.isTombstone(newest), "seed=" + seed + " a dead key record was not unlinked");
            assertEquals(0, ks.versionAt(node, ks.versionSeq(newest) - 1), "seed=" + seed + " an old version was not trimmed");
        }
    }

    @Test
    void shouldSweepOnlyTheRecordsThatWereWritten()
    {
        try (Store store = new Store(dir, 1 << 20, 8, 0))
        {
            final KeySpace ks = store.newKeySpace();
            final boolean[] created = new boolean[1];
            final UnsafeBuffer value = new UnsafeBuffer(new byte[4]);
            long seq = 0;
            for (int k = 0; k < 50_000; k++)
            {
                final UnsafeBuffer kb = key(k);
                ks.push(ks.findOrInsert(kb, 0, kb.capacity(), created), ++seq, false, value, 0, 4);
            }
            store.publishVisible(seq);
            store.reclaim();
            assertEquals(0, store.sweep(4096), "nothing written since the load needs a visit");

            final UnsafeBuffer kb = key(777);
            final long node = ks.find(kb, 0, kb.capacity());
            ks.push(node, ++seq, true, value, 0, 0);
            ks.markGarbage(node, seq);
            assertEquals(0, store.sweep(4096), "the delete is above the horizon until it is published");
            store.publishVisible(seq);
            store.reclaim();
            assertEquals(1, store.sweep(4096), "one written key, one visit, whatever the key space size");
            assertEquals(0, ks.find(kb, 0, kb.capacity()), "the deleted key record is unlinked");
            assertEquals(0, store.sweep(4096));
        }
    }
}
