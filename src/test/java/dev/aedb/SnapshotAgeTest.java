package dev.aedb;

import dev.aedb.model.AedbException;
import dev.aedb.model.ConsistencyMode;
import dev.aedb.model.Durability;
import dev.aedb.model.ErrorCode;
import dev.aedb.model.Mutation;
import dev.aedb.model.TransactionEnvelope;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

import static dev.aedb.TestSupport.b;
import static dev.aedb.TestSupport.expect;
import static dev.aedb.TestSupport.kvSet;
import static dev.aedb.TestSupport.s;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The maximum snapshot age (issue 8, item 5) and the report of pinned snapshots, on a fake clock: a read through an
 * older snapshot fails SNAPSHOT_EXPIRED and frees the slot, an idle expired snapshot stops holding back reclamation,
 * one-shot reads never expire, and {@link AedbInstance#snapshotStats()} reports counts and ages.
 */
class SnapshotAgeTest
{
    private static final long MILLI = 1_000_000;

    @TempDir
    Path dir;

    private final AtomicLong clock = new AtomicLong(5_000 * MILLI);

    private AedbConfig config(final long maxAgeMillis)
    {
        return TestSupport.smallConfig().durability(Durability.OS_BUFFERED).maxSnapshotAgeMillis(maxAgeMillis)
            .nanoClock(clock::get);
    }

    @Test
    void shouldFailReadsWithSnapshotExpiredWhenTheSnapshotIsOlderThanTheLimit()
    {
        try (AedbInstance db = AedbInstance.open(config(1_000), dir))
        {
            db.createProject("p");
            db.commit(kvSet("a", "1"));
            final Snapshot snapshot = db.snapshot(ConsistencyMode.AT_LATEST);
            clock.addAndGet(1_000 * MILLI);
            assertEquals("1", s(snapshot.kvGet("p", "app", b("a")).value()), "exactly at the limit it still reads");
            clock.addAndGet(MILLI);
            final AedbException ex = expect(ErrorCode.SNAPSHOT_EXPIRED, () -> snapshot.kvGet("p", "app", b("a")));
            assertTrue(ex.getMessage().contains("1001 ms old") && ex.getMessage().contains("maxSnapshotAgeMillis=1000")
                && ex.getMessage().contains("raise AedbConfig.maxSnapshotAgeMillis"), ex.getMessage());
            assertEquals(0, db.snapshotStats().openSnapshots(), "the expired read released the slot");
            expect(ErrorCode.SNAPSHOT_EXPIRED, () -> snapshot.scanTable("p", "app", "t", 10, null));
            snapshot.close();
            clock.addAndGet(3_600_000 * MILLI);
            assertEquals("1", s(db.kvGet("p", "app", b("a")).value()), "one-shot reads have no age limit");
        }
    }

    @Test
    void shouldStopHoldingBackReclamationWhenAnIdleSnapshotIsPastTheLimit()
    {
        try (AedbInstance db = AedbInstance.open(config(1_000).retainedCommits(0), dir))
        {
            db.createProject("p");
            db.createScope("p", "big");
            final List<Mutation> load = new ArrayList<>();
            for (int i = 0; i < 5_000; i++)
            {
                load.add(new Mutation.KvSet("p", "big", b("key-" + i), new byte[100]));
            }
            db.commit(TransactionEnvelope.of(load));
            final Snapshot snapshot = db.snapshot(ConsistencyMode.AT_LATEST);
            db.dropScope("p", "big");
            for (int i = 0; i < 3; i++)
            {
                db.commit(kvSet("x", "y" + i));
            }
            final long held = db.storeStats().allocatedBytes();
            assertTrue(held > 5_000 * 100, "the snapshot keeps the dropped scope: " + held);
            assertEquals(1, snapshot.kvScanPrefix("p", "big", b("key-1"), 1, null).entries().size(),
                "the snapshot still reads the dropped scope");

            clock.addAndGet(1_000 * MILLI + 2 * MILLI); // past the limit and the writer's grace
            for (int i = 0; i < 3; i++)
            {
                db.commit(kvSet("x", "z" + i));
            }
            final long after = db.storeStats().allocatedBytes();
            assertTrue(after < held - 5_000 * 100, "the expired idle snapshot still holds the dropped scope: held=" + held
                + " after=" + after);
            expect(ErrorCode.SNAPSHOT_EXPIRED, () -> snapshot.kvGet("p", "big", b("key-1")));
        }
    }

    /**
     * An open snapshot keeps its seq readable for one-shot {@code atSeq} reads too, after the retained window moved
     * past it; once it expires (or closes), the seq is refused by name.
     */
    @Test
    void shouldServeAtSeqReadsOfASeqAnOpenSnapshotHoldsAfterTheWindowMovedPastIt()
    {
        try (AedbInstance db = AedbInstance.open(config(1_000).retainedCommits(4), dir))
        {
            db.createProject("p");
            db.commit(TestSupport.kvSet("k", "old"));
            try (Snapshot held = db.snapshot(ConsistencyMode.AT_LATEST))
            {
                final long seq = held.seq();
                for (int i = 0; i < 50; i++)
                {
                    db.commit(TestSupport.kvSet("k", "new-" + i));
                }
                db.sync();
                assertTrue(seq < db.headState().visibleHeadSeq() - 4, "the window moved past the held seq");
                assertEquals("old", TestSupport.s(db.kvGet("p", "app", TestSupport.b("k"), ConsistencyMode.atSeq(seq)).value()),
                    "a one-shot read at the seq the open snapshot holds");
                assertEquals("old", TestSupport.s(held.kvGet("p", "app", TestSupport.b("k")).value()));
                clock.addAndGet(2_000 * MILLI); // the idle snapshot is now older than the limit: no longer honoured
                for (int i = 0; i < 5; i++)
                {
                    db.commit(TestSupport.kvSet("k", "newer-" + i));
                }
                db.sync();
                TestSupport.expect(ErrorCode.SNAPSHOT_EXPIRED, () -> db.kvGet("p", "app", TestSupport.b("k"), ConsistencyMode.atSeq(seq)));
            }
        }
    }

    @Test
    void shouldReportOpenSnapshotsAndTheirAgeWhenAsked()
    {
        try (AedbInstance db = AedbInstance.open(config(10_000).maxConcurrentSnapshots(8), dir))
        {
            db.createProject("p");
            assertEquals(new SnapshotStats(0, 0, 0, 0, -1, 8), db.snapshotStats());
            final Snapshot first = db.snapshot(ConsistencyMode.AT_LATEST);
            db.commit(kvSet("a", "1"));
            clock.addAndGet(3_000 * MILLI);
            final Snapshot second = db.snapshot(ConsistencyMode.AT_LATEST);
            assertEquals(new SnapshotStats(2, 0, 0, 3_000, first.seq(), 8), db.snapshotStats());
            clock.addAndGet(8_000 * MILLI);
            assertEquals(new SnapshotStats(2, 0, 1, 11_000, first.seq(), 8), db.snapshotStats());
            expect(ErrorCode.SNAPSHOT_EXPIRED, () -> first.kvGet("p", "app", b("a")));
            assertEquals(new SnapshotStats(1, 0, 0, 8_000, second.seq(), 8), db.snapshotStats());
            second.close();
            first.close();
            assertEquals(new SnapshotStats(0, 0, 0, 0, -1, 8), db.snapshotStats());
        }
    }

    @Test
    void shouldFailAReadThroughAnOpenSnapshotWithClosedWhenTheInstanceIsClosed()
    {
        final AedbInstance db = AedbInstance.open(config(1_000), dir);
        db.createProject("p");
        final Snapshot snapshot = db.snapshot(ConsistencyMode.AT_LATEST);
        db.close();
        expect(ErrorCode.CLOSED, () -> snapshot.kvGet("p", "app", b("a")));
        snapshot.close();
    }

    @Test
    void shouldRejectAMaxSnapshotAgeThatIsNotPositiveWhenConcluding()
    {
        final AedbException ex = expect(ErrorCode.INVALID_CONFIG, () -> new AedbConfig().maxSnapshotAgeMillis(0).conclude());
        assertTrue(ex.getMessage().contains("maxSnapshotAgeMillis"), ex.getMessage());
        expect(ErrorCode.INVALID_CONFIG, () -> AedbInstance.open(new AedbConfig().maxSnapshotAgeMillis(-5), dir));
        assertEquals(30_000, new AedbConfig().maxSnapshotAgeMillis());
    }
}
