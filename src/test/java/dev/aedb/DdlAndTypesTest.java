package dev.aedb;

import dev.aedb.model.ColumnDef;
import dev.aedb.model.ColumnType;
import dev.aedb.model.ConsistencyMode;
import dev.aedb.model.DdlOperation;
import dev.aedb.model.ErrorCode;
import dev.aedb.model.Expr;
import dev.aedb.model.Mutation;
import dev.aedb.model.Query;
import dev.aedb.model.QueryOptions;
import dev.aedb.model.Row;
import dev.aedb.model.TransactionEnvelope;
import dev.aedb.model.Value;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.math.BigInteger;
import java.nio.file.Path;
import java.util.List;

import static dev.aedb.TestSupport.b;
import static dev.aedb.TestSupport.expect;
import static dev.aedb.TestSupport.kvSet;
import static dev.aedb.TestSupport.user;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** DDL through the WAL, every column type, composite keys. */
class DdlAndTypesTest
{
    @TempDir
    Path dir;

    private static final List<ColumnDef> ALL_TYPES = List.of(ColumnDef.of("i", ColumnType.INTEGER), ColumnDef.of("t", ColumnType.TEXT),
        ColumnDef.nullable("f", ColumnType.FLOAT), ColumnDef.nullable("b", ColumnType.BOOLEAN), ColumnDef.nullable("bl", ColumnType.BLOB),
        ColumnDef.nullable("ts", ColumnType.TIMESTAMP), ColumnDef.nullable("u", ColumnType.U64), ColumnDef.nullable("big", ColumnType.U256),
        ColumnDef.nullable("j", ColumnType.JSON));

    private static Row allTypesRow(final long i, final String t)
    {
        return Row.of(Value.integer(i), Value.text(t), Value.float64(-1.5e-300), Value.bool(true), Value.blob(new byte[]{0, -1, 7}),
            Value.timestamp(-42), Value.u64(-1L), Value.u256(Value.U256.MAX.subtract(BigInteger.TEN)), Value.json("{\"a\":[1,2]}"));
    }

    @Test
    void shouldRoundTripEveryTypeWithACompositeKeyAcrossReopen()
    {
        final Row a = allTypesRow(-5, "x\u0000y");
        final Row b = allTypesRow(-5, "x");
        final Row c = Row.of(Value.integer(3), Value.text(""), Value.NULL, Value.NULL, Value.NULL, Value.NULL, Value.NULL, Value.NULL,
            Value.NULL);
        try (AedbInstance db = TestSupport.open(dir))
        {
            db.createProject("p");
            db.createTable("p", "app", "all", ALL_TYPES, List.of("i", "t"));
            for (final Row r : List.of(a, b, c))
            {
                db.commit(new Mutation.Insert("p", "app", "all", List.of(r.get(0), r.get(1)), r));
            }
            check(db, a, b, c);
        }
        try (AedbInstance db = TestSupport.open(dir))
        {
            check(db, a, b, c);
        }
    }

    private static void check(final AedbInstance db, final Row a, final Row b, final Row c)
    {
        assertEquals(a, db.get("p", "app", "all", List.of(Value.integer(-5), Value.text("x\u0000y"))).row());
        assertEquals(c, db.get("p", "app", "all", List.of(Value.integer(3), Value.text(""))).row());
        assertEquals(List.of(b, a, c), db.scanTable("p", "app", "all", 10, null, ConsistencyMode.AT_LATEST).rows(),
            "key order: (-5,'x') < (-5,'x\\0y') < (3,'')");
        assertEquals(List.of(c), db.query("p", "app", Query.select().from("all").where_(Expr.isNull("f"))).rows());
        assertEquals(2, db.query("p", "app", Query.select("i").from("all").where_(Expr.lt("i", Value.integer(0)))).rows().size());
    }

    @Test
    void shouldDropTablesScopesAndProjectsAndKeepOldSnapshotsReadable()
    {
        try (AedbInstance db = TestSupport.open(dir))
        {
            TestSupport.usersTable(db);
            db.commit(user(1, "alice"));
            db.commit(kvSet("k", "v"));
            db.createScope("p", "other");
            db.commit(new Mutation.KvSet("p", "other", b("k2"), b("v2")));
            try (Snapshot before = db.snapshot(ConsistencyMode.AT_LATEST))
            {
                db.commit(new Mutation.Ddl(new DdlOperation.DropTable("p", "app", "users", false)));
                db.dropScope("p", "other");
                expect(ErrorCode.TABLE_NOT_FOUND, () -> db.get("p", "app", "users", List.of(Value.integer(1))));
                expect(ErrorCode.SCOPE_NOT_FOUND, () -> db.kvGet("p", "other", b("k2")));
                assertTrue(before.get("p", "app", "users", List.of(Value.integer(1))).found(), "a pinned snapshot still sees the table");
                assertEquals("v2", TestSupport.s(before.kvGet("p", "other", b("k2")).value()));
                for (int i = 0; i < 50; i++)
                {
                    db.commit(kvSet("churn" + i, "x")); // lets the sequencer reclaim while the snapshot holds the drop back
                }
                assertTrue(before.get("p", "app", "users", List.of(Value.integer(1))).found());
            }
            expect(ErrorCode.TABLE_NOT_FOUND, () -> db.commit(user(2, "bob")));
            db.createTable("p", "app", "users", List.of(ColumnDef.of("id", ColumnType.INTEGER)), List.of("id"));
            assertFalse(db.get("p", "app", "users", List.of(Value.integer(1))).found(), "a re-created table starts empty");
            db.dropProject("p");
            expect(ErrorCode.PROJECT_NOT_FOUND, () -> db.kvGet("p", "app", b("k")));
            db.dropProject("p"); // idempotent helper
            expect(ErrorCode.PROJECT_NOT_FOUND, () -> db.commit(new Mutation.Ddl(new DdlOperation.DropProject("p", false))));
        }
        try (AedbInstance db = TestSupport.open(dir))
        {
            expect(ErrorCode.PROJECT_NOT_FOUND, () -> db.kvGet("p", "app", b("k")));
            db.createProject("p");
            assertFalse(db.kvGet("p", "app", b("k")).found(), "replay recreates nothing that was dropped");
        }
    }

    @Test
    void shouldAddANullableColumnThatOldRowsReadAsNull()
    {
        try (AedbInstance db = TestSupport.open(dir))
        {
            TestSupport.usersTable(db);
            db.commit(user(1, "alice"));
            db.commit(TransactionEnvelope.of(new Mutation.Ddl(new DdlOperation.AlterTableAddColumn("p", "app", "users",
                ColumnDef.nullable("email", ColumnType.TEXT))), new Mutation.Upsert("p", "app", "users", List.of(Value.integer(2)),
                Row.of(Value.integer(2), Value.text("bob"), Value.NULL, Value.text("bob@example.org")))));
            assertEquals(Value.NULL, db.get("p", "app", "users", List.of(Value.integer(1))).row().get(3));
            expect(ErrorCode.COLUMN_EXISTS, () -> db.commit(new Mutation.Ddl(new DdlOperation.AlterTableAddColumn("p", "app", "users",
                ColumnDef.nullable("email", ColumnType.TEXT)))));
        }
        try (AedbInstance db = TestSupport.open(dir))
        {
            assertEquals(Value.text("bob@example.org"), db.get("p", "app", "users", List.of(Value.integer(2))).row().get(3));
            assertEquals(4, db.query("p", "app", Query.select().from("users").limit(10), QueryOptions.defaults()).columns().size());
        }
    }

    @Test
    void shouldRollBackDdlWhenTheEnvelopeFails()
    {
        try (AedbInstance db = TestSupport.open(dir))
        {
            db.createProject("p");
            expect(ErrorCode.SCOPE_NOT_FOUND, () -> db.commit(TransactionEnvelope.of(
                new Mutation.Ddl(new DdlOperation.CreateTable("p", "app", "t", null, List.of(ColumnDef.of("id", ColumnType.INTEGER)),
                    List.of("id"))),
                new Mutation.Upsert("p", "app", "t", List.of(Value.integer(1)), Row.of(Value.integer(1))),
                new Mutation.KvSet("p", "missing", b("k"), b("v")))));
            expect(ErrorCode.TABLE_NOT_FOUND, () -> db.get("p", "app", "t", List.of(Value.integer(1))));
            db.createTable("p", "app", "t", List.of(ColumnDef.of("id", ColumnType.INTEGER)), List.of("id"));
            assertFalse(db.get("p", "app", "t", List.of(Value.integer(1))).found());
        }
    }
}
