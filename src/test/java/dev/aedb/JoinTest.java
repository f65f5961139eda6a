package dev.aedb;

import dev.aedb.model.Aggregate;
import dev.aedb.model.ColumnDef;
import dev.aedb.model.ColumnType;
import dev.aedb.model.DdlOperation;
import dev.aedb.model.ErrorCode;
import dev.aedb.model.Expr;
import dev.aedb.model.Mutation;
import dev.aedb.model.Query;
import dev.aedb.model.QueryOptions;
import dev.aedb.model.QueryPlan;
import dev.aedb.model.QueryResult;
import dev.aedb.model.Row;
import dev.aedb.model.Value;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.List;

import static dev.aedb.TestSupport.expect;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Joins: the read strategy per joined table, explain, grouping over a join, and every refusal with its code. */
class JoinTest
{
    @TempDir
    Path dir;
    AedbInstance db;

    @BeforeEach
    void open()
    {
        db = TestSupport.open(dir);
        db.createProject("p");
        db.createTable("p", "app", "users", List.of(ColumnDef.of("id", ColumnType.INTEGER), ColumnDef.of("name", ColumnType.TEXT)),
            List.of("id"));
        db.createTable("p", "app", "orders", List.of(ColumnDef.of("id", ColumnType.INTEGER), ColumnDef.of("user_id", ColumnType.INTEGER),
            ColumnDef.of("total", ColumnType.INTEGER), ColumnDef.nullable("note", ColumnType.TEXT)), List.of("id"));
        db.commit(new Mutation.Ddl(new DdlOperation.CreateIndex("p", "app", "orders", "by_user", List.of("user_id"), false)));
        for (int u = 1; u <= 4; u++)
        {
            db.commit(new Mutation.Insert("p", "app", "users", List.of(Value.integer(u)), Row.of(Value.integer(u), Value.text("u" + u))));
        }
        for (int o = 1; o <= 9; o++)
        {
            db.commit(new Mutation.Insert("p", "app", "orders", List.of(Value.integer(o)), Row.of(Value.integer(o),
                Value.integer(o % 3 + 1), Value.integer(o * 10), o % 2 == 0 ? Value.NULL : Value.text("n" + o))));
        }
    }

    @AfterEach
    void close()
    {
        db.close();
    }

    @Test
    void shouldJoinThroughTheIndexAndThePrimaryKeyAndExplainHow()
    {
        final Query byIndex = Query.select("u.name", "o.total").from("users").alias("u")
            .leftJoin("orders", "o", "u.id", "o.user_id").where_(Expr.lte("u.id", Value.integer(4)))
            .orderBy("u.id", Query.Order.ASC).orderBy("o.id", Query.Order.ASC);
        final QueryResult r = db.query("p", "app", byIndex);
        assertEquals(List.of("u.name", "o.total"), r.columns());
        assertEquals(List.of(Row.of(Value.text("u1"), Value.integer(30)), Row.of(Value.text("u1"), Value.integer(60)),
            Row.of(Value.text("u1"), Value.integer(90)), Row.of(Value.text("u2"), Value.integer(10)),
            Row.of(Value.text("u2"), Value.integer(40)), Row.of(Value.text("u2"), Value.integer(70)),
            Row.of(Value.text("u3"), Value.integer(20)), Row.of(Value.text("u3"), Value.integer(50)),
            Row.of(Value.text("u3"), Value.integer(80)), Row.of(Value.text("u4"), Value.NULL)), r.rows(), "u4 has no order: NULLs");
        final QueryPlan plan = db.explain("p", "app", byIndex);
        assertEquals("Join(PrimaryKeyRangeScan)", plan.accessPath(), "u.id <= 4 went to the users' planner");
        assertTrue(plan.trace().contains("LEFT join orders AS o ON u.id = o.user_id: index by_user lookup per row"), plan.trace().toString());
        assertTrue(plan.stages().contains("Join"));

        final Query byKey = Query.select("o.id", "u.name").from("orders").alias("o").innerJoin("users", "u", "o.user_id", "u.id")
            .where_(Expr.and(Expr.isNotNull("o.note"), Expr.ne("u.name", Value.text("u2")))).orderBy("o.id", Query.Order.DESC);
        assertEquals(List.of(Row.of(Value.integer(9), Value.text("u1")), Row.of(Value.integer(5), Value.text("u3")),
            Row.of(Value.integer(3), Value.text("u1"))), db.query("p", "app", byKey, QueryOptions.defaults().withAllowFullScan(true)).rows());
        assertTrue(db.explain("p", "app", byKey).trace().contains("INNER join users AS u ON o.user_id = u.id: primary-key lookup per row"));

        final Query grouped = Query.select().from("users").alias("u").innerJoin("orders", "o", "u.id", "o.user_id")
            .groupBy("u.name").aggregate(new Aggregate.Sum("o.total")).aggregate(new Aggregate.Count())
            .having(Expr.gt("count_star", Value.integer(2))).orderBy("sum_o.total", Query.Order.DESC);
        final QueryResult g = db.query("p", "app", grouped, QueryOptions.defaults().withAllowFullScan(true));
        assertEquals(List.of("u.name", "sum_o.total", "count_star"), g.columns());
        assertEquals(List.of(Row.of(Value.text("u3"), Value.integer(150), Value.integer(3)), Row.of(Value.text("u2"), Value.integer(120),
            Value.integer(3))), g.rows().subList(1, 3));
    }

    @Test
    void shouldRefuseBadJoinsWithTheirCodes()
    {
        final Query base = Query.select().from("users").alias("u");
        expect(ErrorCode.INVALID_QUERY, () -> db.query("p", "app", base.innerJoin("orders", "u", "u.id", "u.user_id")));
        expect(ErrorCode.TABLE_NOT_FOUND, () -> db.query("p", "app", base.innerJoin("nope", "n", "u.id", "n.id")));
        expect(ErrorCode.COLUMN_NOT_FOUND, () -> db.query("p", "app", base.innerJoin("orders", "o", "u.nope", "o.user_id")));
        expect(ErrorCode.INVALID_QUERY, () -> db.query("p", "app", base.innerJoin("orders", "o", "u.id", "u.id")));
        expect(ErrorCode.TYPE_MISMATCH, () -> db.query("p", "app", base.innerJoin("orders", "o", "u.name", "o.user_id")));
        expect(ErrorCode.COLUMN_NOT_FOUND, () -> db.query("p", "app", base.innerJoin("orders", "o", "u.id", "o.user_id")
            .where_(Expr.eq("total", Value.integer(1))))); // columns are qualified in a join
        final String cursor = db.query("p", "app", Query.select().from("users").limit(2)).cursor();
        expect(ErrorCode.INVALID_QUERY, () -> db.query("p", "app", base.innerJoin("orders", "o", "u.id", "o.user_id").limit(2),
            QueryOptions.defaults().withCursor(cursor)));
        expect(ErrorCode.INVALID_QUERY, () -> db.query("p", "app", base.innerJoin("orders", "o", "u.id", "o.user_id")));
        expect(ErrorCode.SCAN_BOUND_EXCEEDED, () -> db.query("p", "app", base.innerJoin("orders", "o", "u.id", "o.user_id")
            .where_(Expr.isNotNull("u.name")), QueryOptions.defaults().withMaxScanRows(8)));
    }
}
