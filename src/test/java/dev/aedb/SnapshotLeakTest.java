package dev.aedb;

import dev.aedb.model.AedbException;
import dev.aedb.model.ConsistencyMode;
import dev.aedb.model.ErrorCode;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.lang.ref.Reference;
import java.nio.file.Path;

import static dev.aedb.TestSupport.b;
import static dev.aedb.TestSupport.expect;
import static dev.aedb.TestSupport.kvSet;
import static dev.aedb.TestSupport.s;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Snapshots that are never closed (issue 8, item 5): a snapshot the program can no longer reach gives its reader slot
 * back when the garbage collector finds it; one it can still reach keeps its slot and its view. Driven by
 * {@code System.gc()} in a loop with a bounded number of attempts (the Cleaner thread runs asynchronously); nothing
 * sleeps.
 */
class SnapshotLeakTest
{
    private static final int SLOTS = 16;
    private static final int GC_ATTEMPTS = 200;

    @TempDir
    Path dir;

    /** @return {@code count} unclosed snapshots; held until the caller drops the array, so no GC frees them early. */
    private static Snapshot[] open(final AedbInstance db, final int count)
    {
        final Snapshot[] snapshots = new Snapshot[count];
        for (int i = 0; i < count; i++)
        {
            snapshots[i] = db.snapshot(ConsistencyMode.AT_LATEST);
        }
        return snapshots;
    }

    private static boolean readable(final AedbInstance db)
    {
        try
        {
            return "1".equals(s(db.kvGet("p", "app", b("a")).value()));
        }
        catch (final AedbException ex)
        {
            if (ex.code() != ErrorCode.SNAPSHOT_LIMIT)
            {
                throw ex;
            }
            return false;
        }
    }

    @Test
    void shouldServeReadsAgainWhenLeakedSnapshotsAreCollected()
    {
        try (AedbInstance db = AedbInstance.open(TestSupport.smallConfig().maxConcurrentSnapshots(SLOTS), dir))
        {
            db.createProject("p");
            db.commit(kvSet("a", "1"));
            Snapshot[] leaked = open(db, SLOTS);
            expect(ErrorCode.SNAPSHOT_LIMIT, () -> db.kvGet("p", "app", b("a")));
            assertEquals(SLOTS, leaked.length);
            leaked = null; // dropped unclosed
            boolean readable = false;
            int attempts = 0;
            while (!readable && attempts < GC_ATTEMPTS)
            {
                attempts++;
                System.gc();
                for (int spin = 0; spin < 1_000 && !readable; spin++)
                {
                    Thread.yield(); // lets the Cleaner thread run on a busy machine
                    readable = readable(db);
                }
            }
            System.out.println("SnapshotLeakTest: reads served again after " + attempts + " System.gc() calls");
            assertTrue(readable, "every read still fails SNAPSHOT_LIMIT after " + GC_ATTEMPTS + " System.gc() calls");
            for (int i = 0; i < SLOTS; i++)
            {
                db.snapshot(ConsistencyMode.AT_LATEST).close(); // every slot is free again, not just one
            }
        }
    }

    @Test
    void shouldKeepAReferencedUnclosedSnapshotWhenLeakedOnesAreCollected()
    {
        try (AedbInstance db = AedbInstance.open(TestSupport.smallConfig().maxConcurrentSnapshots(SLOTS), dir))
        {
            db.createProject("p");
            db.commit(kvSet("a", "1"));
            final Snapshot kept = db.snapshot(ConsistencyMode.AT_LATEST);
            Snapshot[] canary = open(db, 1); // once it is released, the Cleaner has run after a collection that saw `kept`
            db.commit(kvSet("a", "2"));
            assertEquals(2, db.snapshotStats().openSnapshots() + 1 - canary.length);
            canary = null; // dropped unclosed
            int attempts = 0;
            while (db.snapshotStats().openSnapshots() > 1 && attempts < GC_ATTEMPTS)
            {
                attempts++;
                System.gc();
                for (int spin = 0; spin < 1_000 && db.snapshotStats().openSnapshots() > 1; spin++)
                {
                    Thread.yield();
                }
            }
            assertEquals(1, db.snapshotStats().openSnapshots(), "the leaked canary was not released after " + attempts + " GCs");
            for (int i = 0; i < 1_000; i++)
            {
                db.commit(kvSet("a", "v" + i));
            }
            assertEquals("1", s(kept.kvGet("p", "app", b("a")).value()), "the referenced snapshot keeps its slot and view");
            assertEquals(1, db.snapshotStats().openSnapshots());
            Reference.reachabilityFence(kept);
            kept.close();
            assertEquals(0, db.snapshotStats().openSnapshots());
        }
    }
}
