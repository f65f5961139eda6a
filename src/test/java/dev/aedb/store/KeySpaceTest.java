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
        final long seed = System.nanoTime();
        System.out.println("KeySpaceTest seed=" + seed);
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
                    final UnsafeBuffer kb = key(k);
                    if (random.nextInt(3) == 0)
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

    private static void check(final KeySpace ks, final TreeMap<Integer, Integer> model, final long seq, final long seed)
    {
        for (int k = 0; k < 30_000; k++)
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
