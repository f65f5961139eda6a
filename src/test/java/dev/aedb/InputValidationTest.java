package dev.aedb;

import dev.aedb.model.AedbException;
import dev.aedb.model.Assertion;
import dev.aedb.model.CallerContext;
import dev.aedb.model.ColumnDef;
import dev.aedb.model.ColumnType;
import dev.aedb.model.CommitResult;
import dev.aedb.model.ConsistencyMode;
import dev.aedb.model.DdlOperation;
import dev.aedb.model.Durability;
import dev.aedb.model.ErrorCode;
import dev.aedb.model.Expr;
import dev.aedb.model.Mutation;
import dev.aedb.model.Query;
import dev.aedb.model.QueryOptions;
import dev.aedb.model.Row;
import dev.aedb.model.TransactionEnvelope;
import dev.aedb.model.Value;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static dev.aedb.TestSupport.b;
import static dev.aedb.TestSupport.expect;
import static dev.aedb.TestSupport.kvSet;
import static dev.aedb.TestSupport.user;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Input that used to slip past validation (issue 8, item 3): nulls deep inside an envelope, scans with
 * {@code Integer.MAX_VALUE}, text that UTF-8 cannot hold, non-finite query literals, envelopes too large to encode,
 * and data committed under higher limits than a reopen configures. Each is a typed rejection that changes nothing
 * and leaves the engine usable, or (for the last) simply works.
 */
class InputValidationTest
{
    @TempDir
    Path dir;
    AedbInstance db;

    @BeforeEach
    void open()
    {
        db = AedbInstance.open(TestSupport.smallConfig().durability(Durability.OS_BUFFERED).maxEnvelopeBytes(64 * 1024), dir);
        TestSupport.usersTable(db);
        db.commit(user(1, "alice"));
    }

    @AfterEach
    void close()
    {
        if (db != null)
        {
            db.close();
        }
    }

    /** Runs a rejected commit and checks the code, that no seq was consumed and that the engine still commits. */
    private AedbException rejected(final ErrorCode code, final Executable action)
    {
        final HeadState before = db.headState();
        final AedbException ex = expect(code, action);
        assertEquals(before, db.headState(), "a rejected request must not consume a seq");
        assertEquals("alice", ((Value.Text)db.get("p", "app", "users", List.of(Value.integer(1))).row().get(1)).value());
        final CommitResult next = db.commit(kvSet("probe", "ok"));
        assertEquals(before.visibleHeadSeq() + 1, next.commitSeq(), "engine must stay usable with dense seqs");
        return ex;
    }

    @Test
    void shouldRejectANullPrimaryKeyElementWithoutStoppingTheEngine()
    {
        final List<Value> nullKey = Arrays.asList((Value)null);
        final Row row = Row.of(Value.integer(2), Value.text("bob"), Value.NULL);
        rejected(ErrorCode.NULL_NOT_ALLOWED, () -> db.commit(new Mutation.Insert("p", "app", "users", nullKey, row)));
        rejected(ErrorCode.NULL_NOT_ALLOWED, () -> db.commit(new Mutation.Upsert("p", "app", "users", nullKey, row)));
        rejected(ErrorCode.NULL_NOT_ALLOWED, () -> db.commit(new Mutation.Delete("p", "app", "users", nullKey)));
        rejected(ErrorCode.NULL_NOT_ALLOWED, () -> db.commit(new Mutation.UpdateFields("p", "app", "users", nullKey,
            Map.of("name", Value.text("x")))));
        rejected(ErrorCode.NULL_NOT_ALLOWED, () -> db.commit(new TransactionEnvelope(null, null,
            List.of(new Assertion.RowExists("p", "app", "users", nullKey, true)), List.of(kvSet("k", "v")))));
        expect(ErrorCode.NULL_NOT_ALLOWED, () -> db.get("p", "app", "users", nullKey));
    }

    @Test
    void shouldRejectNullsDeepInsideAnEnvelope()
    {
        final Map<String, Value> nullValue = new HashMap<>();
        nullValue.put("name", null);
        final AedbException field = rejected(ErrorCode.INVALID_ARGUMENT, () -> db.commit(new Mutation.UpdateFields("p", "app", "users",
            List.of(Value.integer(1)), nullValue)));
        assertTrue(field.getMessage().contains("fields[name]=null"), field.getMessage());
        final Map<String, Value> nullName = new HashMap<>();
        nullName.put(null, Value.text("x"));
        rejected(ErrorCode.INVALID_ARGUMENT, () -> db.commit(new Mutation.UpdateFields("p", "app", "users",
            List.of(Value.integer(1)), nullName)));

        final List<ColumnDef> nullColumn = Arrays.asList(ColumnDef.of("id", ColumnType.INTEGER), null);
        final AedbException column = rejected(ErrorCode.INVALID_ARGUMENT,
            () -> db.createTable("p", "app", "t", nullColumn, List.of("id")));
        assertTrue(column.getMessage().contains("columns[1]=null"), column.getMessage());
        final AedbException type = rejected(ErrorCode.INVALID_ARGUMENT,
            () -> db.createTable("p", "app", "t", List.of(new ColumnDef("id", null, false)), List.of("id")));
        assertTrue(type.getMessage().contains("columns[0].type=null"), type.getMessage());
        rejected(ErrorCode.INVALID_ARGUMENT, () -> db.createTable("p", "app", "t", List.of(ColumnDef.of("id", ColumnType.INTEGER)),
            Arrays.asList("id", null)));
        rejected(ErrorCode.INVALID_ARGUMENT, () -> db.commit(new Mutation.Ddl(null)));
        rejected(ErrorCode.INVALID_ARGUMENT, () -> db.commit(new Mutation.Ddl(new DdlOperation.AlterTableAddColumn("p", "app",
            "users", null))));

        final AedbException element = rejected(ErrorCode.INVALID_ARGUMENT,
            () -> db.commit(new TransactionEnvelope(null, null, List.of(), Arrays.asList(kvSet("a", "1"), null))));
        assertTrue(element.getMessage().contains("mutations[1]=null"), element.getMessage());
        rejected(ErrorCode.INVALID_ARGUMENT, () -> db.commit(TransactionEnvelope.of(kvSet("a", "1"), null)));
        rejected(ErrorCode.INVALID_ARGUMENT, () -> db.commit(new TransactionEnvelope(null, null, Arrays.asList((Assertion)null),
            List.of(kvSet("a", "1")))));
        rejected(ErrorCode.INVALID_ARGUMENT, () -> db.commit((Mutation)null));
        rejected(ErrorCode.INVALID_ARGUMENT, () -> db.commit(new Mutation.Insert("p", "app", "users", List.of(Value.integer(2)), null)));
        expect(ErrorCode.INVALID_ARGUMENT, () -> Row.of(Value.integer(1), null));
        expect(ErrorCode.INVALID_ARGUMENT, () -> Row.fromValues(Arrays.asList(Value.integer(1), null)));
    }

    @Test
    void shouldReturnEveryEntryWhenTheScanLimitIsIntegerMaxValue()
    {
        for (int i = 0; i < 5; i++)
        {
            db.commit(kvSet("scan" + i, "v"));
            db.commit(user(10 + i, "u" + i));
        }
        final KvScanResult kv = db.kvScanPrefix("p", "app", b("scan"), Integer.MAX_VALUE, null, ConsistencyMode.AT_LATEST);
        assertEquals(5, kv.entries().size());
        assertNull(kv.next());
        assertEquals(5, db.kvScanRange("p", "app", null, null, Integer.MAX_VALUE, null, null).entries().size());
        final TableScanResult rows = db.scanTable("p", "app", "users", Integer.MAX_VALUE, null, ConsistencyMode.AT_LATEST);
        assertEquals(6, rows.rows().size());
        assertNull(rows.next());
        assertEquals(5, db.kvHandle("p", "app").scan(null, 0, 0, Integer.MAX_VALUE, (kb, ko, kl, vb, vo, vl, v) -> true));
    }

    @Test
    void shouldRejectTextThatUtf8CannotEncode()
    {
        expect(ErrorCode.INVALID_VALUE, () -> Value.text("a\uD800"));
        expect(ErrorCode.INVALID_VALUE, () -> Value.text("\uDC00b"));
        expect(ErrorCode.INVALID_VALUE, () -> Value.text("x\uDBFF\uDBFFy"));
        expect(ErrorCode.INVALID_VALUE, () -> Value.json("\"\uD83D\""));
        expect(ErrorCode.INVALID_ARGUMENT, () -> CallerContext.of("alice\uD800"));
        rejected(ErrorCode.INVALID_ARGUMENT, () -> db.commit(new Mutation.Ddl(new DdlOperation.CreateProject("q", "own\uDFFF", false))));
        // A well-formed pair is text like any other, and a different key from its '?'-mangled look-alike.
        db.commit(new Mutation.Ddl(new DdlOperation.CreateTable("p", "app", "names", null,
            List.of(ColumnDef.of("name", ColumnType.TEXT)), List.of("name"))));
        db.commit(new Mutation.Insert("p", "app", "names", List.of(Value.text("a\uD83D\uDE00")), Row.of(Value.text("a\uD83D\uDE00"))));
        db.commit(new Mutation.Insert("p", "app", "names", List.of(Value.text("a?")), Row.of(Value.text("a?"))));
        assertEquals(2, db.scanTable("p", "app", "names", 10, null, null).rows().size());
    }

    @Test
    void shouldRejectANonFiniteFloatLiteralInAQueryFilter()
    {
        db.commit(new Mutation.Ddl(new DdlOperation.CreateTable("p", "app", "m", null,
            List.of(ColumnDef.of("id", ColumnType.INTEGER), ColumnDef.nullable("f", ColumnType.FLOAT)), List.of("id"))));
        db.commit(new Mutation.Upsert("p", "app", "m", List.of(Value.integer(1)), Row.of(Value.integer(1), Value.float64(1.5))));
        for (final double bad : new double[]{Double.NaN, Double.POSITIVE_INFINITY, Double.NEGATIVE_INFINITY})
        {
            expect(ErrorCode.INVALID_QUERY, () -> db.query("p", "app", Query.select().from("m")
                .where_(Expr.ne("f", Value.float64(bad))).limit(10)));
            expect(ErrorCode.INVALID_QUERY, () -> db.query("p", "app", Query.select().from("m")
                .where_(Expr.and(Expr.eq("id", Value.integer(1)), Expr.lt("f", Value.float64(bad))))));
        }
        assertEquals(1, db.query("p", "app", Query.select().from("m").where_(Expr.lt("f", Value.float64(2.0))).limit(10))
            .rows().size());
    }

    @Test
    void shouldRejectAnEnvelopeTooLargeToEncodeWithoutEncodingItAll()
    {
        // 3,000 rows of 1 MiB each would be 3 GiB of frame: more than a Java array holds. The encoder must stop at
        // maxEnvelopeBytes (64 KiB here) and say ENVELOPE_TOO_LARGE, not run out of memory or overflow.
        final Value big = Value.text("x".repeat(1 << 20));
        final List<Mutation> mutations = new ArrayList<>();
        for (int i = 0; i < 3000; i++)
        {
            mutations.add(new Mutation.Upsert("p", "app", "users", List.of(Value.integer(i)), Row.of(Value.integer(i), big, Value.NULL)));
        }
        rejected(ErrorCode.ENVELOPE_TOO_LARGE, () -> db.commit(TransactionEnvelope.of(mutations)));
        rejected(ErrorCode.ENVELOPE_TOO_LARGE, () -> db.commit(new TransactionEnvelope(CallerContext.of("c"), b("idem"), List.of(),
            mutations)));
        rejected(ErrorCode.ENVELOPE_TOO_LARGE, () -> db.commit(TransactionEnvelope.of(Collections.nCopies(3000,
            new Mutation.KvSet("p", "app", b("k"), new byte[200 * 1024])))));
    }

    @Test
    void shouldReplayAndServeDataCommittedUnderHigherLimitsWhenReopenedWithLowerOnes()
    {
        db.close();
        db = null;
        final byte[] bigValue = new byte[600 * 1024];
        Arrays.fill(bigValue, (byte)7);
        final String longKey = "k".repeat(900);
        final AedbConfig defaults = new AedbConfig().storeSegmentBytes(4 << 20);
        try (AedbInstance first = AedbInstance.open(defaults, dir.resolve("limits")))
        {
            first.createProject("p");
            first.createTable("p", "app", "docs", List.of(ColumnDef.of("name", ColumnType.TEXT), ColumnDef.of("body", ColumnType.BLOB)),
                List.of("name"));
            first.commit(new Mutation.Upsert("p", "app", "docs", List.of(Value.text(longKey)),
                Row.of(Value.text(longKey), Value.blob(bigValue))));
            first.commit(new Mutation.KvSet("p", "app", b(longKey), bigValue));
        }
        final AedbConfig lower = new AedbConfig().storeSegmentBytes(4 << 20).maxValueBytes(256 * 1024).maxKvKeyBytes(512);
        try (AedbInstance reopened = AedbInstance.open(lower, dir.resolve("limits")))
        {
            final RowResult row = reopened.get("p", "app", "docs", List.of(Value.text(longKey)));
            assertArrayEquals(bigValue, ((Value.Blob)row.row().get(1)).value());
            assertArrayEquals(bigValue, reopened.kvGet("p", "app", b(longKey)).value());
            final long head = reopened.headState().visibleHeadSeq();
            expect(ErrorCode.VALUE_TOO_LARGE, () -> reopened.commit(new Mutation.Upsert("p", "app", "docs", List.of(Value.text("short")),
                Row.of(Value.text("short"), Value.blob(bigValue)))));
            expect(ErrorCode.VALUE_TOO_LARGE, () -> reopened.commit(new Mutation.KvSet("p", "app", b("short"), bigValue)));
            expect(ErrorCode.KEY_TOO_LARGE, () -> reopened.commit(new Mutation.Upsert("p", "app", "docs", List.of(Value.text(longKey + "2")),
                Row.of(Value.text(longKey + "2"), Value.blob(new byte[1])))));
            expect(ErrorCode.KEY_TOO_LARGE, () -> reopened.commit(new Mutation.KvSet("p", "app", b(longKey + "2"), b("v"))));
            assertEquals(head, reopened.headState().visibleHeadSeq());
            // What was committed under the higher limits stays deletable.
            reopened.commit(new Mutation.Delete("p", "app", "docs", List.of(Value.text(longKey))));
            reopened.commit(new Mutation.KvDel("p", "app", b(longKey)));
            assertFalse(reopened.kvGet("p", "app", b(longKey)).found());
            assertFalse(reopened.get("p", "app", "docs", List.of(Value.text(longKey))).found());
        }
        try (AedbInstance again = AedbInstance.open(lower, dir.resolve("limits")))
        {
            assertFalse(again.kvGet("p", "app", b(longKey)).found());
        }
    }

    @Test
    void shouldRejectNullQueryArgumentsWithTheirNames()
    {
        final AedbException options = expect(ErrorCode.INVALID_ARGUMENT, () -> db.query("p", "app", Query.select().from("users"), null));
        assertTrue(options.getMessage().contains("options=null"), options.getMessage());
        expect(ErrorCode.INVALID_ARGUMENT, () -> db.query("p", "app", null, QueryOptions.defaults()));
        final AedbException and = expect(ErrorCode.INVALID_ARGUMENT, () -> new Expr.And(null));
        assertTrue(and.getMessage().contains("terms=null"), and.getMessage());
        expect(ErrorCode.INVALID_ARGUMENT, () -> Expr.and(Expr.isNull("age"), null));
        expect(ErrorCode.INVALID_ARGUMENT, () -> Expr.eq("id", null));
        expect(ErrorCode.INVALID_ARGUMENT, () -> Query.select("id", null));
        db.createScope("p", "empty");
        final AedbException table = expect(ErrorCode.INVALID_ARGUMENT, () -> db.get("p", "empty", null, List.of(Value.integer(1))));
        assertTrue(table.getMessage().contains("table=null"), table.getMessage());
    }
}
