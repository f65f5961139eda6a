package dev.aedb.store;

import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.BitSet;
import java.util.Random;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The hash index grows incrementally: while old slots are still being moved, every key must be found (by the
 * writer and by a concurrent lock-free reader), removed keys must stay gone, and re-inserted keys must be found
 * once. Checks run after every insert during the migrations, not only at the end.
 */
class HashIndexGrowthTest
{
    @TempDir
    Path dir;

    private static UnsafeBuffer key(final int i)
    {
        return new UnsafeBuffer(String.format("hk-%09d", i).getBytes(StandardCharsets.US_ASCII));
    }

    @Test
    void shouldFindEveryKeyWhileResizesAreInProgress() throws Exception
    {
        final long seed = System.nanoTime();
        System.out.println("HashIndexGrowthTest seed=" + seed);
        final Random random = new Random(seed);
        try (Store store = new Store(dir, 1 << 22, 8, 0))
        {
            final KeySpace ks = store.newKeySpace();
            final boolean[] created = new boolean[1];
            final int stableKeys = 2_000;
            final long[] stableNodes = new long[stableKeys];
            for (int i = 0; i < stableKeys; i++)
            {
                final UnsafeBuffer kb = key(i);
                stableNodes[i] = ks.findOrInsert(kb, 0, kb.capacity(), created);
                assertTrue(created[0]);
            }

            // A reader probing without locks while the writer grows the index: the stable keys must always resolve
            // to their own records.
            final AtomicBoolean stop = new AtomicBoolean();
            final AtomicReference<String> readerFailure = new AtomicReference<>();
            final AtomicLong readerLookups = new AtomicLong();
            final Thread reader = new Thread(() ->
            {
                final Random r = new Random(seed ^ 0x5DEECE66DL);
                final UnsafeBuffer[] keys = new UnsafeBuffer[stableKeys];
                for (int i = 0; i < stableKeys; i++)
                {
                    keys[i] = key(i);
                }
                while (!stop.get() && readerFailure.get() == null)
                {
                    final int i = r.nextInt(stableKeys);
                    final long node = ks.find(keys[i], 0, keys[i].capacity());
                    if (node != stableNodes[i])
                    {
                        readerFailure.set("stable key " + i + " resolved to " + node + ", expected " + stableNodes[i]);
                    }
                    readerLookups.incrementAndGet();
                }
            }, "hash-reader");
            reader.start();

            final BitSet present = new BitSet();
            present.set(0, stableKeys);
            final BitSet removed = new BitSet();
            int migratingInserts = 0;
            final int total = 200_000;
            for (int i = stableKeys; i < total; i++)
            {
                final UnsafeBuffer kb = key(i);
                final long node = ks.findOrInsert(kb, 0, kb.capacity(), created);
                assertTrue(created[0], "seed=" + seed + " key " + i + " must be new");
                assertEquals(node, ks.find(kb, 0, kb.capacity()), "seed=" + seed + " fresh key " + i);
                present.set(i);
                if (ks.hashIndexMigrating())
                {
                    migratingInserts++;
                    // mid-migration: a random earlier key must still resolve, a removed one must stay gone
                    final int probe = stableKeys + random.nextInt(i - stableKeys + 1);
                    final UnsafeBuffer pk = key(probe);
                    final long found = ks.find(pk, 0, pk.capacity());
                    if (present.get(probe))
                    {
                        assertNotEquals(0L, found, "seed=" + seed + " key " + probe + " lost during migration");
                    }
                    else
                    {
                        assertEquals(0L, found, "seed=" + seed + " removed key " + probe + " came back");
                    }
                }
                if (random.nextInt(8) == 0)
                {
                    // remove a random non-stable key through the sweeper's path (unlink), sometimes mid-migration
                    final int victim = stableKeys + random.nextInt(i - stableKeys + 1);
                    if (present.get(victim))
                    {
                        final UnsafeBuffer vk = key(victim);
                        final long vn = ks.find(vk, 0, vk.capacity());
                        ks.unlinkForTest(vn);
                        present.clear(victim);
                        removed.set(victim);
                        assertEquals(0L, ks.find(vk, 0, vk.capacity()), "seed=" + seed + " removed key " + victim + " still found");
                    }
                }
            }
            stop.set(true);
            reader.join();
            assertNull(readerFailure.get(), "seed=" + seed + ": " + readerFailure.get());
            assertTrue(readerLookups.get() > 0, "the reader must have probed");
            assertTrue(migratingInserts > 1_000, "the workload must have inserted during migrations, saw " + migratingInserts);

            // re-insert some removed keys: found once, at their new records
            int reinserted = 0;
            for (int victim = removed.nextSetBit(0); victim >= 0 && reinserted < 5_000; victim = removed.nextSetBit(victim + 1))
            {
                final UnsafeBuffer vk = key(victim);
                final long node = ks.findOrInsert(vk, 0, vk.capacity(), created);
                assertTrue(created[0], "seed=" + seed + " removed key " + victim + " must be inserted anew");
                present.set(victim);
                reinserted++;
            }
            for (int i = 0; i < total; i++)
            {
                final UnsafeBuffer kb = key(i);
                final long node = ks.find(kb, 0, kb.capacity());
                assertEquals(present.get(i), node != 0, "seed=" + seed + " key " + i + " final state");
            }
        }
    }
}
