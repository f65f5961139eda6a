package dev.aedb.store;

import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The cost of a write with a snapshot pinned (issue 8, item 5): one pin at the load, then updates of random keys
 * through the writer's path (push, trim-on-write, reclaim after each commit). Counts the versions trim-on-write visits
 * and the chain lengths, not time. Before interval trimming every write walked all versions newer than the pin: about
 * updates / (2 x keys) per write, growing without bound.
 */
class PinnedTrimCostTest
{
    private static final int KEYS = 100;
    private static final int UPDATES = 100_000;
    private static final long RETAINED = 16;

    @TempDir
    Path dir;

    private static UnsafeBuffer key(final int i)
    {
        return new UnsafeBuffer(String.format("key-%04d", i).getBytes(StandardCharsets.US_ASCII));
    }

    @Test
    void shouldVisitABoundedNumberOfVersionsPerWriteWhenASnapshotIsPinned()
    {
        final long seed = Long.getLong("aedb.trim.seed", System.nanoTime());
        System.out.println("PinnedTrimCostTest seed=" + seed + " (rerun with -Daedb.trim.seed=" + seed + ")");
        final Random random = new Random(seed);
        try (Store store = new Store(dir, 1 << 20, 8, RETAINED))
        {
            final KeySpace ks = store.newKeySpace();
            final boolean[] created = new boolean[1];
            final UnsafeBuffer value = new UnsafeBuffer(new byte[4]);
            final long[] nodes = new long[KEYS];
            long seq = 1;
            for (int k = 0; k < KEYS; k++)
            {
                nodes[k] = ks.findOrInsert(key(k), 0, key(k).capacity(), created);
                value.putInt(0, -k);
                ks.push(nodes[k], seq, false, value, 0, 4);
            }
            store.publishVisible(seq);
            store.reclaim();
            final int slot = store.registry().claim(seq);
            long maxVisitsPerWrite = 0;
            int maxChain = 0;
            long swept = 0;
            final long visitsBefore = ks.trimVisits();
            for (int n = 0; n < UPDATES; n++)
            {
                seq++;
                final int k = random.nextInt(KEYS);
                value.putInt(0, (int)seq);
                ks.push(nodes[k], seq, false, value, 0, 4);
                final long before = ks.trimVisits();
                if (ks.trim(nodes[k]) > 1)
                {
                    ks.markGarbage(nodes[k], seq);
                }
                maxVisitsPerWrite = Math.max(maxVisitsPerWrite, ks.trimVisits() - before);
                int chain = 0;
                for (long v = ks.newest(nodes[k]); v != 0; v = ks.olderVersion(v))
                {
                    chain++;
                }
                maxChain = Math.max(maxChain, chain);
                store.publishVisible(seq);
                store.reclaim();
                swept += store.sweep(512);
            }
            final double perWrite = (double)(ks.trimVisits() - visitsBefore) / UPDATES;
            System.out.printf("PinnedTrimCostTest: %d updates of %d keys, one pin: %.2f versions visited per write (max %d), "
                + "longest chain %d, sweeper visits %d%n", UPDATES, KEYS, perWrite, maxVisitsPerWrite, maxChain, swept);
            // A write's chain: the versions above the horizon (at most RETAINED + 1 commits), the newest at or below it,
            // the pinned version. Garbage left by the horizon moving is removed once, by the next write to the key.
            assertTrue(maxChain <= RETAINED + 3, "longest chain " + maxChain + " with one pin, seed=" + seed);
            assertTrue(perWrite <= 6, perWrite + " versions visited per write with one pin, seed=" + seed);
            assertTrue(maxVisitsPerWrite <= 2 * RETAINED + 4, "a write visited " + maxVisitsPerWrite + " versions, seed=" + seed);
            assertTrue(swept <= UPDATES, "the sweeper visited " + swept + " records for " + UPDATES + " writes");
            store.sweep(4096);
            assertEquals(0, store.sweep(4096), "a record whose versions the pin keeps is not revisited while it stands");
            for (int k = 0; k < KEYS; k++)
            {
                final long v = ks.versionAt(nodes[k], 1);
                assertEquals(-k, ks.payloadBuffer(v).getInt(ks.payloadOffset(v)), "the pinned snapshot's value of key " + k);
            }
            store.registry().release(slot);
        }
    }
}
