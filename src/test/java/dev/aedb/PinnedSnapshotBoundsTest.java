package dev.aedb;

import dev.aedb.model.ConsistencyMode;
import dev.aedb.model.Durability;
import dev.aedb.model.Mutation;
import dev.aedb.model.TransactionEnvelope;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Issue 8, item 5: one snapshot pinned while updates hit a few keys. The pinned snapshot needs one version per key and
 * the retained window a bounded number more, so the store must not grow with the number of updates (it used to keep
 * every version newer than the pin, and every write walked them all). Measures allocated store bytes, not time.
 * Set -Daedb.bounds.seed to replay a run.
 */
class PinnedSnapshotBoundsTest
{
    private static final int KEYS = 1_000;
    private static final int UPDATES = 100_000;
    private static final int VERSION_BYTES = 128; // 24-byte header + 100-byte value, 16-byte aligned

    @TempDir
    Path dir;

    private static byte[] key(final int i)
    {
        return String.format("key-%012d", i).getBytes();
    }

    private static byte[] value(final int i, final int salt)
    {
        final byte[] v = new byte[100];
        Arrays.fill(v, (byte)(i * 31 + salt));
        return v;
    }

    @Test
    void shouldKeepTheStoreBoundedWhenASnapshotStaysPinnedUnderUpdates()
    {
        final long seed = Long.getLong("aedb.bounds.seed", System.nanoTime());
        System.out.println("PinnedSnapshotBoundsTest seed=" + seed + " (rerun with -Daedb.bounds.seed=" + seed + ")");
        final Random random = new Random(seed);
        final AedbConfig config = TestSupport.smallConfig().durability(Durability.OS_BUFFERED);
        try (AedbInstance db = AedbInstance.open(config, dir))
        {
            db.createProject("p");
            final List<Mutation> load = new ArrayList<>(KEYS);
            for (int i = 0; i < KEYS; i++)
            {
                load.add(new Mutation.KvSet("p", "app", key(i), value(i, 0)));
            }
            db.commit(TransactionEnvelope.of(load));
            final long loaded = db.storeStats().allocatedBytes();
            final Snapshot pinned = db.snapshot(ConsistencyMode.AT_LATEST);
            for (int n = 1; n <= UPDATES; n++)
            {
                final int k = random.nextInt(KEYS);
                db.commit(new Mutation.KvSet("p", "app", key(k), value(k, n)));
            }
            final long grown = db.storeStats().allocatedBytes() - loaded;
            // Kept: the pinned version of each key (already counted in `loaded`), the newest one, the retained window.
            final long bound = 2L * (KEYS + config.retainedCommits()) * VERSION_BYTES;
            System.out.printf("PinnedSnapshotBoundsTest: loaded=%d bytes, grew by %d bytes over %d updates (bound %d)%n", loaded,
                grown, UPDATES, bound);
            assertTrue(grown <= bound, "with one snapshot pinned the store grew by " + grown + " bytes over " + UPDATES
                + " updates of " + KEYS + " keys; bound " + bound + " (seed=" + seed + ")");
            for (int i = 0; i < KEYS; i++)
            {
                assertArrayEquals(value(i, 0), pinned.kvGet("p", "app", key(i)).value(), "pinned view of key " + i);
            }
            pinned.close();
        }
    }
}
