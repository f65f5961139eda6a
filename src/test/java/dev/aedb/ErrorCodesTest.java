package dev.aedb;

import dev.aedb.model.ColumnDef;
import dev.aedb.model.ColumnType;
import dev.aedb.model.CommitResult;
import dev.aedb.model.ConsistencyMode;
import dev.aedb.model.DdlOperation;
import dev.aedb.model.ErrorCode;
import dev.aedb.model.Expr;
import dev.aedb.model.Mutation;
import dev.aedb.model.Query;
import dev.aedb.model.Row;
import dev.aedb.model.TransactionEnvelope;
import dev.aedb.model.Value;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.api.function.Executable;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static dev.aedb.TestSupport.b;
import static dev.aedb.TestSupport.expect;
import static dev.aedb.TestSupport.user;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Every bad input gets its own stable code, changes no state, and leaves the engine usable. */
class ErrorCodesTest
{
    @TempDir
    Path dir;
    AedbInstance db;

    @BeforeEach
    void open()
    {
        db = AedbInstance.open(TestSupport.smallConfig().maxKvKeyBytes(64).maxValueBytes(4096).maxEnvelopeBytes(32 * 1024)
            .maxMutationsPerEnvelope(10), dir);
        TestSupport.usersTable(db);
        db.commit(user(1, "alice"));
    }

    @AfterEach
    void close()
    {
        db.close();
    }

    /** Runs a rejected commit and checks the code, that no seq was consumed and that the engine still commits. */
    private void rejected(final ErrorCode code, final Executable action)
    {
        final HeadState before = db.headState();
        final RowResult aliceBefore = db.get("p", "app", "users", List.of(Value.integer(1)));
        expect(code, action);
        assertEquals(before, db.headState(), "a rejected request must not consume a seq");
        assertEquals(aliceBefore.row(), db.get("p", "app", "users", List.of(Value.integer(1))).row());
        final CommitResult next = db.commit(TestSupport.kvSet("probe", "ok"));
        assertEquals(before.visibleHeadSeq() + 1, next.commitSeq(), "engine must stay usable with dense seqs");
    }

    @Test
    void shouldRejectUnknownProject()
    {
        rejected(ErrorCode.PROJECT_NOT_FOUND, () -> db.commit(new Mutation.KvSet("nope", "app", b("k"), b("v"))));
    }

    @Test
    void shouldRejectUnknownScope()
    {
        rejected(ErrorCode.SCOPE_NOT_FOUND, () -> db.commit(new Mutation.KvSet("p", "nope", b("k"), b("v"))));
    }

    @Test
    void shouldRejectUnknownTable()
    {
        rejected(ErrorCode.TABLE_NOT_FOUND, () -> db.commit(new Mutation.Upsert("p", "app", "nope", List.of(Value.integer(1)),
            Row.of(Value.integer(1)))));
    }

    @Test
    void shouldRejectUnknownColumn()
    {
        rejected(ErrorCode.COLUMN_NOT_FOUND, () -> db.commit(new Mutation.UpdateFields("p", "app", "users",
            List.of(Value.integer(1)), Map.of("nope", Value.integer(3)))));
        expect(ErrorCode.COLUMN_NOT_FOUND, () -> db.query("p", "app", Query.select("nope").from("users").limit(1)));
    }

    @Test
    void shouldRejectWrongType()
    {
        rejected(ErrorCode.TYPE_MISMATCH, () -> db.commit(new Mutation.Upsert("p", "app", "users", List.of(Value.integer(2)),
            Row.of(Value.integer(2), Value.integer(5), Value.NULL))));
        expect(ErrorCode.TYPE_MISMATCH, () -> db.query("p", "app", Query.select().from("users").where_(Expr.eq("id", Value.text("1")))));
    }

    @Test
    void shouldRejectWrongArity()
    {
        rejected(ErrorCode.ARITY_MISMATCH, () -> db.commit(new Mutation.Upsert("p", "app", "users", List.of(Value.integer(2)),
            Row.of(Value.integer(2), Value.text("x")))));
        rejected(ErrorCode.ARITY_MISMATCH, () -> db.commit(new Mutation.Upsert("p", "app", "users",
            List.of(Value.integer(2), Value.integer(3)), Row.of(Value.integer(2), Value.text("x"), Value.NULL))));
    }

    @Test
    void shouldRejectNullInNonNullableColumn()
    {
        rejected(ErrorCode.NULL_NOT_ALLOWED, () -> db.commit(new Mutation.Upsert("p", "app", "users", List.of(Value.integer(2)),
            Row.of(Value.integer(2), Value.NULL, Value.NULL))));
    }

    @Test
    void shouldRejectPrimaryKeyThatDiffersFromRow()
    {
        rejected(ErrorCode.PRIMARY_KEY_MISMATCH, () -> db.commit(new Mutation.Upsert("p", "app", "users", List.of(Value.integer(2)),
            Row.of(Value.integer(3), Value.text("x"), Value.NULL))));
    }

    @Test
    void shouldRejectNonFiniteFloatAndMalformedJson()
    {
        db.commit(new Mutation.Ddl(new DdlOperation.CreateTable("p", "app", "m", null,
            List.of(ColumnDef.of("id", ColumnType.INTEGER), ColumnDef.nullable("f", ColumnType.FLOAT), ColumnDef.nullable("j", ColumnType.JSON)),
            List.of("id"))));
        rejected(ErrorCode.INVALID_VALUE, () -> db.commit(new Mutation.Upsert("p", "app", "m", List.of(Value.integer(1)),
            Row.of(Value.integer(1), Value.float64(Double.NaN), Value.NULL))));
        rejected(ErrorCode.INVALID_VALUE, () -> db.commit(new Mutation.Upsert("p", "app", "m", List.of(Value.integer(1)),
            Row.of(Value.integer(1), Value.NULL, Value.json("{\"a\":")))));
    }

    @Test
    void shouldRejectOversizedKeyValueAndEnvelope()
    {
        rejected(ErrorCode.KEY_TOO_LARGE, () -> db.commit(new Mutation.KvSet("p", "app", new byte[65], b("v"))));
        rejected(ErrorCode.VALUE_TOO_LARGE, () -> db.commit(new Mutation.KvSet("p", "app", b("k"), new byte[4097])));
        rejected(ErrorCode.VALUE_TOO_LARGE, () -> db.commit(new Mutation.Upsert("p", "app", "users", List.of(Value.integer(9)),
            Row.of(Value.integer(9), Value.text("x".repeat(5000)), Value.NULL))));
        final Mutation big = new Mutation.KvSet("p", "app", b("k"), new byte[4000]);
        rejected(ErrorCode.ENVELOPE_TOO_LARGE,
            () -> db.commit(new TransactionEnvelope(null, null, List.of(), java.util.Collections.nCopies(10, big))));
        db.commit(new Mutation.Ddl(new DdlOperation.CreateTable("p", "app", "byname", null,
            List.of(ColumnDef.of("name", ColumnType.TEXT)), List.of("name"))));
        rejected(ErrorCode.KEY_TOO_LARGE, () -> db.commit(new Mutation.Upsert("p", "app", "byname",
            List.of(Value.text("n".repeat(100))), Row.of(Value.text("n".repeat(100))))));
    }

    @Test
    void shouldRejectTooManyMutations()
    {
        rejected(ErrorCode.TOO_MANY_MUTATIONS, () -> db.commit(new TransactionEnvelope(null, null, List.of(),
            java.util.Collections.nCopies(11, TestSupport.kvSet("k", "v")))));
    }

    @Test
    void shouldRejectBadIdentifiers()
    {
        rejected(ErrorCode.INVALID_IDENTIFIER, () -> db.createProject("bad name"));
        rejected(ErrorCode.INVALID_IDENTIFIER, () -> db.createProject(""));
        rejected(ErrorCode.INVALID_IDENTIFIER, () -> db.createProject("x".repeat(129)));
        rejected(ErrorCode.INVALID_IDENTIFIER, () -> db.commit(new Mutation.KvSet("p", "a.b", b("k"), b("v"))));
        rejected(ErrorCode.RESERVED_NAME, () -> db.createProject("_system"));
    }

    @Test
    void shouldRejectEmptyEnvelope()
    {
        rejected(ErrorCode.EMPTY_ENVELOPE, () -> db.commit(new TransactionEnvelope(null, null, List.of(), List.of())));
    }

    @Test
    void shouldRejectDuplicateInsertAndMissingUpdate()
    {
        rejected(ErrorCode.DUPLICATE_KEY, () -> db.commit(TestSupport.insertUser(1, "again")));
        rejected(ErrorCode.ROW_NOT_FOUND, () -> db.commit(new Mutation.UpdateFields("p", "app", "users", List.of(Value.integer(99)),
            Map.of("name", Value.text("x")))));
        rejected(ErrorCode.PRIMARY_KEY_UPDATE, () -> db.commit(new Mutation.UpdateFields("p", "app", "users",
            List.of(Value.integer(1)), Map.of("id", Value.integer(2)))));
    }

    @Test
    void shouldRejectBadSchemas()
    {
        rejected(ErrorCode.TABLE_EXISTS, () -> db.createTable("p", "app", "users", List.of(ColumnDef.of("id", ColumnType.INTEGER)),
            List.of("id")));
        rejected(ErrorCode.INVALID_SCHEMA, () -> db.createTable("p", "app", "t1", List.of(ColumnDef.of("id", ColumnType.INTEGER)),
            List.of()));
        rejected(ErrorCode.INVALID_SCHEMA, () -> db.createTable("p", "app", "t1", List.of(ColumnDef.of("id", ColumnType.INTEGER)),
            List.of("nope")));
        rejected(ErrorCode.INVALID_SCHEMA, () -> db.createTable("p", "app", "t1", List.of(ColumnDef.nullable("id", ColumnType.INTEGER)),
            List.of("id")));
        rejected(ErrorCode.INVALID_SCHEMA, () -> db.createTable("p", "app", "t1",
            List.of(ColumnDef.of("id", ColumnType.INTEGER), ColumnDef.of("id", ColumnType.TEXT)), List.of("id")));
        rejected(ErrorCode.INVALID_SCHEMA, () -> db.commit(new Mutation.Ddl(new DdlOperation.AlterTableAddColumn("p", "app", "users",
            ColumnDef.of("required", ColumnType.TEXT)))));
    }

    @Test
    void shouldRejectU256Overflow()
    {
        final byte[] max = new byte[32];
        java.util.Arrays.fill(max, (byte)0xFF);
        final byte[] one = new byte[32];
        one[31] = 1;
        db.commit(new Mutation.KvIncU256("p", "app", b("c"), max));
        rejected(ErrorCode.OVERFLOW, () -> db.commit(new Mutation.KvIncU256("p", "app", b("c"), one)));
        rejected(ErrorCode.UNDERFLOW, () -> db.commit(new Mutation.KvDecU256("p", "app", b("zero"), one)));
        rejected(ErrorCode.INVALID_ARGUMENT, () -> db.commit(new Mutation.KvIncU256("p", "app", b("c"), new byte[31])));
        assertTrue(java.util.Arrays.equals(max, db.kvGet("p", "app", b("c")).value()));
        assertFalse(db.kvGet("p", "app", b("zero")).found());
    }

    @Test
    void shouldRejectBadReads()
    {
        expect(ErrorCode.SEQ_NOT_VISIBLE, () -> db.kvGet("p", "app", b("k"), ConsistencyMode.atSeq(10_000)));
        expect(ErrorCode.INVALID_ARGUMENT, () -> db.kvGet("p", "app", b("k"), ConsistencyMode.atSeq(-1)));
        expect(ErrorCode.INVALID_QUERY, () -> db.query("p", "app", Query.select().from("users")));
        expect(ErrorCode.INVALID_ARGUMENT, () -> db.kvScanPrefix("p", "app", b("k"), 0, null, ConsistencyMode.AT_LATEST));
        expect(ErrorCode.TABLE_NOT_FOUND, () -> db.get("p", "app", "nope", List.of(Value.integer(1))));
    }

    @Test
    void shouldRejectUseAfterClose()
    {
        db.close();
        expect(ErrorCode.CLOSED, () -> db.commit(TestSupport.kvSet("k", "v")));
        expect(ErrorCode.CLOSED, () -> db.kvGet("p", "app", b("k")));
        expect(ErrorCode.CLOSED, db::headState);
    }

    @Test
    void shouldRefuseSecondOpenOfSameDirectory()
    {
        expect(ErrorCode.DATABASE_LOCKED, () -> AedbInstance.open(TestSupport.smallConfig(), dir));
        final long head = db.headState().visibleHeadSeq();
        assertEquals(head + 1, db.commit(TestSupport.kvSet("still", "usable")).commitSeq());
    }

    @Test
    void shouldRejectInvalidConfig()
    {
        expect(ErrorCode.INVALID_CONFIG, () -> new AedbConfig().maxKvKeyBytes(0).conclude());
        expect(ErrorCode.INVALID_CONFIG, () -> new AedbConfig().storeSegmentBytes(3 << 20).conclude());
        expect(ErrorCode.INVALID_CONFIG, () -> new AedbConfig().maxEnvelopeBytes(64 << 20).conclude());
        expect(ErrorCode.INVALID_CONFIG, () -> new AedbConfig().durability(null).conclude());
    }
}
