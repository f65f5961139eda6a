package dev.aedb;

import dev.aedb.model.AedbException;
import dev.aedb.model.ColumnDef;
import dev.aedb.model.ColumnType;
import dev.aedb.model.DdlOperation;
import dev.aedb.model.ErrorCode;
import dev.aedb.model.Expr;
import dev.aedb.model.Mutation;
import dev.aedb.model.PreflightPlan;
import dev.aedb.model.PreflightResult;
import dev.aedb.model.Query;
import dev.aedb.model.Row;
import dev.aedb.model.Value;
import dev.aedb.model.WriteWhereResult;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static dev.aedb.TestSupport.b;
import static dev.aedb.TestSupport.expect;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Preflight says what the commit then does; a preflighted commit, a compare-and-swap and updateWhere/deleteWhere
 * apply only if what they read is unchanged, else CONFLICT with nothing applied.
 */
class OptimisticWritesTest
{
    @TempDir
    Path dir;
    AedbInstance db;

    @BeforeEach
    void open()
    {
        db = TestSupport.open(dir);
        db.createProject("p");
        db.createTable("p", "app", "acct", List.of(ColumnDef.of("id", ColumnType.INTEGER), ColumnDef.nullable("email", ColumnType.TEXT),
            ColumnDef.of("balance", ColumnType.INTEGER)), List.of("id"));
        db.commit(new Mutation.Ddl(new DdlOperation.CreateIndex("p", "app", "acct", "u_email", List.of("email"), true)));
        for (int i = 1; i <= 5; i++)
        {
            db.commit(acct(i, "e" + i, 100));
        }
    }

    @AfterEach
    void close()
    {
        db.close();
    }

    private static Mutation acct(final long id, final String email, final long balance)
    {
        return new Mutation.Upsert("p", "app", "acct", List.of(Value.integer(id)), Row.of(Value.integer(id),
            email == null ? Value.NULL : Value.text(email), Value.integer(balance)));
    }

    private static Mutation insert(final long id, final String email)
    {
        return new Mutation.Insert("p", "app", "acct", List.of(Value.integer(id)), Row.of(Value.integer(id), Value.text(email),
            Value.integer(0)));
    }

    @Test
    void shouldForeseeWhatEachCommitDoes()
    {
        final List<Mutation> cases = List.of(
            insert(9, "new"),
            insert(1, "other"),
            insert(10, "e2"),
            acct(3, "e4", 1),
            acct(3, "e3", 1),
            acct(11, null, 1),
            new Mutation.Upsert("p", "app", "acct", List.of(Value.integer(12)), Row.of(Value.integer(12), Value.integer(5), Value.integer(1))),
            new Mutation.Upsert("p", "app", "acct", List.of(Value.integer(13)), Row.of(Value.integer(14), Value.NULL, Value.integer(1))),
            new Mutation.UpdateFields("p", "app", "acct", List.of(Value.integer(77)), Map.of("balance", Value.integer(1))),
            new Mutation.UpdateFields("p", "app", "acct", List.of(Value.integer(4)), Map.of("email", Value.text("e5"))),
            new Mutation.UpdateFields("p", "app", "acct", List.of(Value.integer(4)), Map.of("id", Value.integer(40))),
            new Mutation.UpdateFields("p", "app", "acct", List.of(Value.integer(4)), Map.of("nope", Value.integer(1))),
            new Mutation.Delete("p", "app", "acct", List.of(Value.integer(2))),
            new Mutation.Delete("p", "app", "acct", List.of(Value.integer(99))),
            new Mutation.Delete("p", "app", "nope", List.of(Value.integer(1))),
            new Mutation.KvSet("p", "app", b("k"), b("v")),
            new Mutation.KvDel("p", "app", b("absent")),
            new Mutation.KvSet("p", "nope", b("k"), b("v")));
        for (final Mutation m : cases)
        {
            final PreflightResult pre = db.preflight(m);
            assertEquals(db.headState().visibleHeadSeq(), pre.snapshotSeq());
            ErrorCode actual = null;
            try
            {
                db.commit(m);
            }
            catch (final AedbException ex)
            {
                actual = ex.code();
            }
            assertEquals(actual, pre.error(), "preflight of " + m + " said " + pre);
            assertTrue(pre.ok() == (actual == null));
        }
        assertEquals(0, db.preflight(new Mutation.Delete("p", "app", "acct", List.of(Value.integer(99)))).affectedRows());
        assertEquals(1, db.preflight(new Mutation.Delete("p", "app", "acct", List.of(Value.integer(1)))).affectedRows());
        assertEquals(ErrorCode.INVALID_ARGUMENT, db.preflight(new Mutation.Ddl(new DdlOperation.DropTable("p", "app", "acct", true))).error());
    }

    @Test
    void shouldCommitAPreflightedPlanOnlyIfNothingItReadChanged()
    {
        final List<Mutation> transfer = List.of(
            new Mutation.UpdateFields("p", "app", "acct", List.of(Value.integer(1)), Map.of("balance", Value.integer(70))),
            new Mutation.UpdateFields("p", "app", "acct", List.of(Value.integer(2)), Map.of("balance", Value.integer(130))),
            new Mutation.KvSet("p", "app", b("audit"), b("1->2")));
        final PreflightPlan plan = db.preflightPlan(transfer);
        assertEquals(3, plan.readSet().size());
        db.commit(acct(2, "e2", 500)); // someone else writes account 2 first
        final long head = db.headState().visibleHeadSeq();
        final AedbException ex = expect(ErrorCode.CONFLICT, () -> db.commitWithPreflight(plan));
        assertTrue(ex.getMessage().contains("seq " + plan.baseSeq()), ex.getMessage());
        assertEquals(head, db.headState().visibleHeadSeq(), "nothing applied");
        assertEquals(Value.integer(100), db.get("p", "app", "acct", List.of(Value.integer(1))).row().get(2));

        db.commitWithPreflight(db.preflightPlan(transfer));
        assertEquals(Value.integer(70), db.get("p", "app", "acct", List.of(Value.integer(1))).row().get(2));
        assertEquals("1->2", TestSupport.s(db.kvGet("p", "app", b("audit")).value()));
        expect(ErrorCode.INVALID_ARGUMENT, () -> db.preflightPlan(List.of(new Mutation.Ddl(new DdlOperation.DropTable("p", "app", "acct", true)))));
    }

    @Test
    void shouldSwapOnlyTheVersionThatWasRead()
    {
        expect(ErrorCode.CONFLICT, () -> db.kvCompareAndSwap("p", "app", b("lock"), 5, b("me")));
        db.kvCompareAndSwap("p", "app", b("lock"), 0, b("me")); // 0: only if absent
        final long version = db.kvGet("p", "app", b("lock")).version();
        expect(ErrorCode.CONFLICT, () -> db.kvCompareAndSwap("p", "app", b("lock"), 0, b("you")));
        db.kvCompareAndSwap("p", "app", b("lock"), version, b("next"));
        assertEquals("next", TestSupport.s(db.kvGet("p", "app", b("lock")).value()));

        final RowResult r = db.get("p", "app", "acct", List.of(Value.integer(3)));
        db.compareAndSwapRow("p", "app", "acct", List.of(Value.integer(3)), r.version(), Row.of(Value.integer(3), Value.text("e3"),
            Value.integer(1)));
        final long head = db.headState().visibleHeadSeq();
        expect(ErrorCode.CONFLICT, () -> db.compareAndSwapRow("p", "app", "acct", List.of(Value.integer(3)), r.version(),
            Row.of(Value.integer(3), Value.text("e3"), Value.integer(2))));
        assertEquals(head, db.headState().visibleHeadSeq());
        assertEquals(Value.integer(1), db.get("p", "app", "acct", List.of(Value.integer(3))).row().get(2));
    }

    @Test
    void shouldUpdateAndDeleteWhatAPredicateSelectsInOneCommit()
    {
        final WriteWhereResult updated = db.updateWhere("p", "app", "acct", Expr.gte("id", Value.integer(2)),
            Map.of("balance", Value.integer(0)), 3);
        assertEquals(3, updated.affectedRows());
        assertEquals(db.headState().visibleHeadSeq(), updated.commitSeq(), "one commit");
        assertEquals(List.of(Row.of(Value.integer(2)), Row.of(Value.integer(3)), Row.of(Value.integer(4))), db.query("p", "app",
            Query.select("id").from("acct").where_(Expr.eq("balance", Value.integer(0))).orderBy("id", Query.Order.ASC)).rows());
        assertEquals(2, db.deleteWhere("p", "app", "acct", Expr.eq("balance", Value.integer(100)), 10).affectedRows());
        final WriteWhereResult none = db.deleteWhere("p", "app", "acct", Expr.eq("balance", Value.integer(100)), 10);
        assertEquals(0, none.affectedRows());
        assertEquals(0, none.commitSeq());
        expect(ErrorCode.INVALID_ARGUMENT, () -> db.deleteWhere("p", "app", "acct", Expr.eq("id", Value.integer(1)), 0));
        expect(ErrorCode.UNIQUE_VIOLATION, () -> db.updateWhere("p", "app", "acct", Expr.isNotNull("email"),
            Map.of("email", Value.text("same")), 10));
        assertNull(db.query("p", "app", Query.select().from("acct").where_(Expr.eq("email", Value.text("same")))).cursor());
        assertEquals(0, db.query("p", "app", Query.select().from("acct").where_(Expr.eq("email", Value.text("same")))).rows().size());
    }
}
