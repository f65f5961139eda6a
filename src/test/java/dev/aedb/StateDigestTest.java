package dev.aedb;

import dev.aedb.model.CallerContext;
import dev.aedb.model.ColumnDef;
import dev.aedb.model.ColumnType;
import dev.aedb.model.DdlOperation;
import dev.aedb.model.ErrorCode;
import dev.aedb.model.Mutation;
import dev.aedb.model.Row;
import dev.aedb.model.TransactionEnvelope;
import dev.aedb.model.Value;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.lang.management.ManagementFactory;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static dev.aedb.TestSupport.b;
import static dev.aedb.TestSupport.expect;
import static dev.aedb.TestSupport.kvSet;
import static dev.aedb.TestSupport.user;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@link AedbInstance#stateDigest()} as an API: what it counts, digests of older seqs, the seqs it refuses, and that it
 * streams (no allocation per key or row). Parity between instances and after reopen is {@link StateParityTest}.
 */
class StateDigestTest
{
    @TempDir
    Path dir;

    @Test
    void shouldCountWhatItDigestsAtTheVisibleHead()
    {
        try (AedbInstance db = TestSupport.open(dir))
        {
            TestSupport.usersTable(db); // project p, scope app, table users
            db.createScope("p", "other");
            db.commit(new Mutation.Ddl(new DdlOperation.CreateTable("p", "other", "t", "owner-1",
                List.of(ColumnDef.of("k", ColumnType.TEXT), ColumnDef.nullable("v", ColumnType.BLOB)), List.of("k"))));
            db.createProject("q");
            db.commit(TransactionEnvelope.of(kvSet("a", "1"), kvSet("b", "2"), kvSet("c", "3"), user(1, "x"), user(2, "y")));
            db.commit(new Mutation.KvDel("p", "app", b("b")));
            db.commit(new Mutation.Upsert("p", "other", "t", List.of(Value.text("k1")), Row.of(Value.text("k1"), Value.NULL)));
            db.commit(new TransactionEnvelope(CallerContext.of("alice"), b("req-1"), List.of(), List.of(kvSet("d", "4"))));
            db.commit(new TransactionEnvelope(null, b("req-2"), List.of(), List.of(kvSet("e", "5"))));

            final StateDigest d = db.stateDigest();
            assertEquals(db.headState().visibleHeadSeq(), d.seq());
            assertTrue(d.sha256Hex().matches("[0-9a-f]{64}"), d.sha256Hex());
            assertEquals(2, d.projects());
            assertEquals(3, d.scopes(), "p.app, p.other, q.app");
            assertEquals(2, d.tables());
            assertEquals(4, d.kvPairs(), "a, c, d, e: the deleted b is a tombstone");
            assertEquals(3, d.rows());
            assertEquals(2, d.idempotencyRecords());
            assertEquals(d, db.stateDigest(d.seq()));
        }
    }

    @Test
    void shouldDigestAnOlderSeqAsItWasAtThatSeq()
    {
        try (AedbInstance db = TestSupport.open(dir))
        {
            TestSupport.usersTable(db);
            final List<StateDigest> seen = new ArrayList<>();
            for (int i = 0; i < 20; i++)
            {
                db.commit(i % 3 == 0 ? user(i % 5, "n" + i) : kvSet("k" + i % 4, "v" + i));
                if (i % 4 == 0)
                {
                    db.dropScope("p", "s" + (i - 4));
                    db.createScope("p", "s" + i);
                }
                seen.add(db.stateDigest());
            }
            for (final StateDigest d : seen)
            {
                assertEquals(d, db.stateDigest(d.seq()), "at seq " + d.seq());
            }
        }
    }

    @Test
    void shouldRefuseASeqThatCannotBeRead()
    {
        final AedbInstance db = AedbInstance.open(TestSupport.smallConfig().retainedCommits(2), dir);
        try
        {
            db.createProject("p");
            for (int i = 0; i < 10; i++)
            {
                db.commit(kvSet("k", "v" + i));
            }
            final long head = db.headState().visibleHeadSeq();
            expect(ErrorCode.INVALID_ARGUMENT, () -> db.stateDigest(-1));
            expect(ErrorCode.SEQ_NOT_VISIBLE, () -> db.stateDigest(head + 1));
            expect(ErrorCode.SNAPSHOT_EXPIRED, () -> db.stateDigest(1));
            assertEquals(head - 2, db.stateDigest(head - 2).seq(), "the retained window is readable");
            assertEquals(0, db.snapshotStats().readsInFlight(), "the digest gave its slot back");
        }
        finally
        {
            db.close();
        }
        expect(ErrorCode.CLOSED, db::stateDigest);
        expect(ErrorCode.CLOSED, () -> db.stateDigest(1));
    }

    /** Streams: the bytes allocated by one digest do not grow with the keys and rows it covers. */
    @Test
    void shouldNotAllocatePerKeyOrRowWhenDigesting()
    {
        final com.sun.management.ThreadMXBean threads = (com.sun.management.ThreadMXBean)ManagementFactory.getThreadMXBean();
        try (AedbInstance db = TestSupport.open(dir))
        {
            TestSupport.usersTable(db);
            final long small = allocatedByDigest(db, threads, 1_000);
            final long large = allocatedByDigest(db, threads, 40_000);
            System.out.println("bytes allocated by one digest: " + small + " (2,000 entries), " + large + " (80,000 entries)");
            assertTrue(large - small < 64 * 1024, "a digest of 78,000 more entries allocated " + (large - small) + " bytes more");
        }
    }

    /** Grows the data to {@code entries} KV pairs and as many rows; @return bytes the last of a few digests allocated. */
    private static long allocatedByDigest(final AedbInstance db, final com.sun.management.ThreadMXBean threads, final int entries)
    {
        final List<Mutation> batch = new ArrayList<>();
        for (int i = 0; i < entries; i++)
        {
            batch.add(kvSet(String.format("k%08d", i), "value-" + i));
            batch.add(user(i, "name-" + i));
            if (batch.size() == 1_000)
            {
                db.commit(TransactionEnvelope.of(batch));
                batch.clear();
            }
        }
        long allocated = 0;
        for (int round = 0; round < 3; round++)
        {
            final long before = threads.getCurrentThreadAllocatedBytes();
            final StateDigest d = db.stateDigest();
            allocated = threads.getCurrentThreadAllocatedBytes() - before;
            assertEquals(entries, d.kvPairs());
            assertEquals(entries, d.rows());
        }
        return allocated;
    }
}
