package dev.aedb;

import dev.aedb.model.ColumnDef;
import dev.aedb.model.ColumnType;
import dev.aedb.model.Durability;
import dev.aedb.model.Mutation;
import dev.aedb.model.Row;
import dev.aedb.model.TransactionEnvelope;
import dev.aedb.model.Value;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.lang.management.ManagementFactory;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The store stays bounded under endless updates, and rows live off-heap. */
class MemoryBoundsTest
{
    @TempDir
    Path dir;

    private static byte[] key(final int i)
    {
        final byte[] k = new byte[16];
        final String s = String.format("key-%012d", i);
        System.arraycopy(s.getBytes(), 0, k, 0, 16);
        return k;
    }

    /**
     * Reclamation alone: no checkpoint runs, so no reader is pinned, and every version an update replaces is freed and
     * reused. (A checkpoint's pinned reader holds back the freeing of what is retired while it reads the store: that
     * garbage grows with the commit rate times the read's duration, and is bounded by the next test's check that it
     * is all freed afterwards, not by 3x.)
     */
    @Test
    void shouldKeepStoreFilesWithinThreeTimesLiveDataUnderTwoMillionUpdates()
    {
        updateAndCheck(dir, false);
    }

    /** The same updates with checkpoints taken every 4 MiB of WAL: what their pins held back is freed once they end. */
    @Test
    void shouldFreeWhatCheckpointsHeldBackOnceTheyEnd()
    {
        updateAndCheck(dir, true);
    }

    private static void updateAndCheck(final Path dir, final boolean checkpoints)
    {
        final int keys = 10_000;
        final int updates = 2_000_000;
        final int perEnvelope = 100;
        final AedbConfig base = new AedbConfig().durability(Durability.OS_BUFFERED).storeSegmentBytes(1 << 20)
            .maxValueBytes(64 * 1024).retainedCommits(0);
        final AedbConfig config = checkpoints ? base.checkpointWalBytes(4 << 20)
            : base.checkpointWalBytes(0).checkpointIntervalMillis(0).checkpointOnClose(false);
        try (AedbInstance db = AedbInstance.open(config, dir))
        {
            db.createProject("p");
            final byte[] value = new byte[100];
            long peakFile = 0;
            for (int done = 0; done < updates; done += perEnvelope)
            {
                final List<Mutation> batch = new ArrayList<>(perEnvelope);
                for (int i = 0; i < perEnvelope; i++)
                {
                    final int n = done + i;
                    Arrays.fill(value, (byte)n);
                    batch.add(new Mutation.KvSet("p", "app", key(n % keys), value.clone()));
                }
                db.commit(TransactionEnvelope.of(batch));
                if (done % 200_000 == 0)
                {
                    peakFile = Math.max(peakFile, db.storeStats().fileBytes());
                }
            }
            final AedbInstance.StoreStats stats = db.storeStats();
            peakFile = Math.max(peakFile, stats.fileBytes());
            final long live = (long)keys * (16 + 100);
            System.out.printf("live=%d allocated=%d free=%d file=%d peakFile=%d ratio=%.2f%n", live, stats.allocatedBytes(),
                stats.freeBytes(), stats.fileBytes(), peakFile, (double)peakFile / live);
            if (checkpoints)
            {
                final long seq = db.checkpointNow(); // returns once written and its pin released
                assertTrue(seq > 0 && db.newestCheckpointSeq() == seq);
                db.commit(new Mutation.KvSet("p", "app", key(0), value.clone())); // one batch: reclaims after it
                final AedbInstance.StoreStats after = db.storeStats();
                System.out.printf("after the last checkpoint: allocated=%d (%.2fx live)%n", after.allocatedBytes(),
                    (double)after.allocatedBytes() / live);
                assertTrue(after.allocatedBytes() <= 2 * live, "garbage held back by checkpoints was not freed: allocated "
                    + after.allocatedBytes() + " for " + live + " of live data");
            }
            else
            {
                assertTrue(peakFile <= 3 * live, "store files " + peakFile + " exceed 3x live data " + live);
            }
            final KvGetResult last = db.kvGet("p", "app", key(keys - 1));
            assertEquals((byte)(updates - 1), last.value()[0]);
        }
    }

    private static long usedHeapAfterGc()
    {
        long used = Long.MAX_VALUE;
        for (int i = 0; i < 5; i++)
        {
            System.gc();
            used = Math.min(used, ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed());
        }
        return used;
    }

    private static void load(final AedbInstance db, final int from, final int to)
    {
        for (int start = from; start < to; start += 1000)
        {
            final List<Mutation> batch = new ArrayList<>(1000);
            for (int id = start; id < Math.min(to, start + 1000); id++)
            {
                batch.add(new Mutation.Upsert("p", "app", "rows", List.of(Value.integer(id)),
                    Row.of(Value.integer(id), Value.text("name-" + id))));
            }
            db.commit(TransactionEnvelope.of(batch));
        }
    }

    @Test
    void shouldNotGrowTheHeapWithTheNumberOfRows()
    {
        final AedbConfig config = new AedbConfig().durability(Durability.OS_BUFFERED).storeSegmentBytes(64 << 20);
        final long small;
        try (AedbInstance db = AedbInstance.open(config, dir))
        {
            db.createProject("p");
            db.createTable("p", "app", "rows", List.of(ColumnDef.of("id", ColumnType.INTEGER), ColumnDef.of("name", ColumnType.TEXT)),
                List.of("id"));
            load(db, 0, 10_000);
            small = usedHeapAfterGc();
            load(db, 10_000, 1_000_000);
            final long large = usedHeapAfterGc();
            System.out.printf("heap after 10k rows=%d, after 1M rows=%d, delta=%d bytes; store allocated=%d%n", small, large,
                large - small, db.storeStats().allocatedBytes());
            assertTrue(large - small < 8L * 1024 * 1024, "heap grew by " + (large - small) + " bytes from 10k to 1M rows");
            assertTrue(db.get("p", "app", "rows", List.of(Value.integer(999_999))).found());
            assertEquals(1_000_000, countRows(db));
            // checkpointing 1M rows stages them off-heap: the heap does not grow with them either
            db.checkpointNow();
            final long afterCheckpoint = usedHeapAfterGc();
            System.out.printf("heap after a checkpoint of 1M rows=%d, delta to 10k rows=%d bytes%n", afterCheckpoint,
                afterCheckpoint - small);
            assertTrue(afterCheckpoint - small < 8L * 1024 * 1024, "heap grew by " + (afterCheckpoint - small)
                + " bytes checkpointing 1M rows");
        }
        // nor does an open from that checkpoint (the image is mapped, not loaded)
        try (AedbInstance db = AedbInstance.open(config, dir))
        {
            assertEquals(0, db.recoveryReport().replayedFrames());
            final long reopened = usedHeapAfterGc();
            System.out.printf("heap after reopening a 1M-row checkpoint=%d bytes%n", reopened);
            assertEquals(1_000_000, countRows(db));
            assertTrue(usedHeapAfterGc() - reopened < 8L * 1024 * 1024, "reading 1M mapped rows grew the heap");
            assertTrue(reopened - small < 8L * 1024 * 1024, "an open from a 1M-row checkpoint uses " + (reopened - small)
                + " bytes more heap than 10k live rows");
        }
    }

    private static long countRows(final AedbInstance db)
    {
        final long[] n = {0};
        db.tableHandle("p", "app", "rows").scan(null, 0, 0, Integer.MAX_VALUE, (buf, off, len, version) ->
        {
            n[0]++;
            return true;
        });
        return n[0];
    }
}
