package dev.aedb;

import dev.aedb.model.AedbException;
import dev.aedb.model.ColumnDef;
import dev.aedb.model.ColumnType;
import dev.aedb.model.ConsistencyMode;
import dev.aedb.model.DdlOperation;
import dev.aedb.model.ErrorCode;
import dev.aedb.model.Expr;
import dev.aedb.model.Mutation;
import dev.aedb.model.Query;
import dev.aedb.model.QueryOptions;
import dev.aedb.model.QueryPlan;
import dev.aedb.model.QueryResult;
import dev.aedb.model.Row;
import dev.aedb.model.TransactionEnvelope;
import dev.aedb.model.Value;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static dev.aedb.TestSupport.expect;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Secondary indexes: built inside their DDL commit, maintained by every write in the row's commit, read at the
 * query's snapshot, unique ones enforced, and the same after a checkpoint or a replay as live.
 */
class IndexTest
{
    @TempDir
    Path dir;

    private static void people(final AedbInstance db)
    {
        db.createProject("p");
        db.createTable("p", "app", "people", List.of(ColumnDef.of("id", ColumnType.INTEGER), ColumnDef.nullable("city", ColumnType.TEXT),
            ColumnDef.nullable("age", ColumnType.INTEGER), ColumnDef.nullable("email", ColumnType.TEXT)), List.of("id"));
    }

    private static Mutation put(final long id, final String city, final Long age, final String email)
    {
        return new Mutation.Upsert("p", "app", "people", List.of(Value.integer(id)), Row.of(Value.integer(id),
            city == null ? Value.NULL : Value.text(city), age == null ? Value.NULL : Value.integer(age),
            email == null ? Value.NULL : Value.text(email)));
    }

    private static DdlOperation.CreateIndex index(final String name, final boolean unique, final String... columns)
    {
        return new DdlOperation.CreateIndex("p", "app", "people", name, List.of(columns), unique);
    }

    private static List<Long> ids(final QueryResult r)
    {
        final List<Long> out = new ArrayList<>();
        for (final Row row : r.rows())
        {
            out.add(((Value.Int)row.get(0)).value());
        }
        return out;
    }

    private static QueryResult query(final AedbInstance db, final Expr where)
    {
        return db.query("p", "app", Query.select("id").from("people").where_(where).orderBy("id", Query.Order.ASC));
    }

    @Test
    void shouldBuildAnIndexOverExistingRowsAndReadThroughIt()
    {
        try (AedbInstance db = TestSupport.open(dir))
        {
            people(db);
            db.commit(put(1, "Oslo", 30L, "a@x"));
            db.commit(put(2, "Rome", 40L, "b@x"));
            db.commit(put(3, "Oslo", null, "c@x"));
            db.commit(put(4, null, 30L, null));
            db.commit(new Mutation.Ddl(index("by_city", false, "city")));

            final QueryResult oslo = query(db, Expr.eq("city", Value.text("Oslo")));
            assertEquals("IndexLookup", oslo.plan());
            assertEquals(List.of(1L, 3L), ids(oslo));
            assertEquals(2, oslo.rowsExamined(), "only the index's rows are read");
            assertEquals(List.of(1L, 2L, 3L), ids(query(db, Expr.gte("city", Value.text("O")))), "a range skips the NULL city");
            assertEquals(List.of(4L), ids(query(db, Expr.isNull("city"))), "IS NULL is a residual filter over a full scan");
            assertEquals(List.of(2L), ids(query(db, Expr.like("city", "R%"))));
        }
    }

    @Test
    void shouldMoveEntriesOnUpdateAndDeleteAndKeepOldSnapshotsExact()
    {
        try (AedbInstance db = TestSupport.open(dir))
        {
            people(db);
            db.commit(new Mutation.Ddl(index("by_city", false, "city")));
            db.commit(put(1, "Oslo", 30L, null));
            db.commit(put(2, "Oslo", 40L, null));
            final long before = db.headState().visibleHeadSeq();
            db.commit(put(1, "Rome", 30L, null));
            db.commit(new Mutation.UpdateFields("p", "app", "people", List.of(Value.integer(2)), Map.of("age", Value.integer(41))));
            db.commit(new Mutation.Delete("p", "app", "people", List.of(Value.integer(2))));
            db.commit(put(3, "Oslo", 1L, null));

            assertEquals(List.of(3L), ids(query(db, Expr.eq("city", Value.text("Oslo")))));
            assertEquals(List.of(1L), ids(query(db, Expr.eq("city", Value.text("Rome")))));
            final QueryResult old = db.query("p", "app", Query.select("id").from("people").where_(Expr.eq("city", Value.text("Oslo")))
                .orderBy("id", Query.Order.ASC), QueryOptions.defaults().withConsistency(ConsistencyMode.atSeq(before)));
            assertEquals("IndexLookup", old.plan());
            assertEquals(List.of(1L, 2L), ids(old), "a snapshot reads the index entries of its seq");
            assertEquals(before, old.snapshotSeq());
        }
    }

    @Test
    void shouldRejectADuplicateInAUniqueIndexAndChangeNothing()
    {
        try (AedbInstance db = TestSupport.open(dir))
        {
            people(db);
            db.commit(new Mutation.Ddl(index("by_email", true, "email")));
            db.commit(put(1, "Oslo", 30L, "a@x"));
            db.commit(put(2, "Rome", 40L, null));
            db.commit(put(3, "Rome", 40L, null)); // NULLs never conflict
            final StateDigest digest = db.stateDigest();
            final long head = db.headState().visibleHeadSeq();

            final AedbException ex = expect(ErrorCode.UNIQUE_VIOLATION, () -> db.commit(put(4, "Bern", 1L, "a@x")));
            assertTrue(ex.getMessage().contains("by_email") && ex.getMessage().contains("email"), ex.getMessage());
            expect(ErrorCode.UNIQUE_VIOLATION, () -> db.commit(new Mutation.UpdateFields("p", "app", "people",
                List.of(Value.integer(2)), Map.of("email", Value.text("a@x")))));
            // Two rows of one envelope: the second conflicts with the first, and neither is applied.
            expect(ErrorCode.UNIQUE_VIOLATION, () -> db.commit(TransactionEnvelope.of(put(5, null, null, "z@x"), put(6, null, null, "z@x"))));
            assertEquals(head, db.headState().visibleHeadSeq(), "no seq taken by a rejected envelope");
            assertEquals(digest.sha256Hex(), db.stateDigest().sha256Hex(), "rows and index entries unchanged");

            db.commit(put(1, "Oslo", 31L, "a@x")); // the row keeps its own value
            db.commit(TransactionEnvelope.of(put(1, "Oslo", 31L, "moved@x"), put(7, null, null, "a@x")));
            assertEquals(List.of(7L), ids(query(db, Expr.eq("email", Value.text("a@x")))));
            assertEquals("IndexLookup", db.explain("p", "app", Query.select().from("people").where_(Expr.eq("email", Value.text("a@x"))))
                .accessPath());
        }
    }

    @Test
    void shouldRefuseAUniqueIndexOverDuplicatesAndAnswerIndexErrors()
    {
        try (AedbInstance db = TestSupport.open(dir))
        {
            people(db);
            db.commit(put(1, "Oslo", 30L, null));
            db.commit(put(2, "Oslo", 30L, null));
            final long head = db.headState().visibleHeadSeq();
            expect(ErrorCode.UNIQUE_VIOLATION, () -> db.commit(new Mutation.Ddl(index("u_city", true, "city"))));
            assertEquals(head, db.headState().visibleHeadSeq());
            expect(ErrorCode.INDEX_NOT_FOUND, () -> db.commit(new Mutation.Ddl(new DdlOperation.DropIndex("p", "app", "people", "u_city", false))));
            expect(ErrorCode.COLUMN_NOT_FOUND, () -> db.commit(new Mutation.Ddl(index("bad", false, "nope"))));
            expect(ErrorCode.INVALID_SCHEMA, () -> db.commit(new Mutation.Ddl(index("twice", false, "city", "city"))));
            expect(ErrorCode.INVALID_SCHEMA, () -> db.commit(new Mutation.Ddl(index("none", false))));
            expect(ErrorCode.INVALID_IDENTIFIER, () -> db.commit(new Mutation.Ddl(index("bad name!", false, "city"))));

            db.commit(new Mutation.Ddl(index("by_city", false, "city")));
            expect(ErrorCode.INDEX_EXISTS, () -> db.commit(new Mutation.Ddl(index("by_city", false, "age"))));
            db.commit(new Mutation.Ddl(new DdlOperation.CreateIndex("p", "app", "people", "by_city", List.of("age"), false, true)));
            assertEquals("IndexLookup", query(db, Expr.eq("city", Value.text("Oslo"))).plan(), "ifNotExists kept the first index");
            db.commit(new Mutation.Ddl(new DdlOperation.DropIndex("p", "app", "people", "by_city", false)));
            db.commit(new Mutation.Ddl(new DdlOperation.DropIndex("p", "app", "people", "by_city", true)));
            final QueryResult scan = query(db, Expr.eq("city", Value.text("Oslo")));
            assertEquals("FullScanFilter", scan.plan());
            assertEquals(List.of(1L, 2L), ids(scan));
        }
    }

    @Test
    void shouldServeTheSameIndexesAfterACheckpointAndAfterAReplay()
    {
        // dir: a checkpoint in the middle, none at close (reopen = image + replay); pure: no checkpoint (reopen = replay)
        final Path pure = dir.resolve("pure");
        final String live = workload(dir.resolve("imaged"), true);
        assertEquals(live, workload(pure, false), "the same commits give the same state");
        for (final Path d : List.of(dir.resolve("imaged"), pure))
        {
            try (AedbInstance db = AedbInstance.open(TestSupport.smallConfig().checkpointOnClose(false), d))
            {
                assertEquals(live, db.stateDigest().sha256Hex(), d.getFileName() + ": rows and index entries as live");
                final QueryResult r = db.query("p", "app", Query.select("id").from("people")
                    .where_(Expr.and(Expr.eq("city", Value.text("c3")), Expr.gt("age", Value.integer(4)))).orderBy("id", Query.Order.ASC));
                assertEquals("IndexLookup", r.plan());
                final List<Long> expected = new ArrayList<>();
                for (int i = 0; i < 200; i++)
                {
                    final boolean rewritten = i % 3 == 0;
                    final String city = "c" + (rewritten ? i % 5 : i % 7);
                    final long age = rewritten ? i % 11 : i % 13;
                    if (city.equals("c3") && age > 4)
                    {
                        expected.add((long)i);
                    }
                }
                assertEquals(expected, ids(r), d.getFileName().toString());
                final QueryPlan plan = db.explain("p", "app", Query.select().from("people").where_(Expr.eq("email", Value.text("f3"))));
                assertEquals("by_email", plan.index());
                assertEquals(List.of(3L), ids(query(db, Expr.eq("email", Value.text("f3")))));
                assertNull(db.explain("p", "app", Query.select().from("people").where_(Expr.eq("id", Value.integer(3)))).index());
            }
        }
    }

    private static String workload(final Path d, final boolean checkpoint)
    {
        try (AedbInstance db = AedbInstance.open(TestSupport.smallConfig().checkpointOnClose(false), d))
        {
            people(db);
            db.commit(new Mutation.Ddl(index("by_city_age", false, "city", "age")));
            db.commit(new Mutation.Ddl(index("by_email", true, "email")));
            for (int i = 0; i < 200; i++)
            {
                db.commit(put(i, "c" + (i % 7), (long)(i % 13), "e" + i));
            }
            if (checkpoint)
            {
                db.checkpointNow();
            }
            for (int i = 0; i < 200; i += 3)
            {
                db.commit(put(i, "c" + (i % 5), (long)(i % 11), "f" + i));
            }
            assertEquals(checkpoint ? 1 : 0, db.newestCheckpointSeq() > 0 ? 1 : 0);
            return db.stateDigest().sha256Hex();
        }
    }
}
