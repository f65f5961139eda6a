package dev.aedb.query;

import dev.aedb.AedbInstance;
import dev.aedb.model.Aggregate;
import dev.aedb.model.ColumnDef;
import dev.aedb.model.ColumnType;
import dev.aedb.model.DdlOperation;
import dev.aedb.model.Expr;
import dev.aedb.model.Mutation;
import dev.aedb.model.Query;
import dev.aedb.model.QueryOptions;
import dev.aedb.model.Row;
import dev.aedb.model.Value;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;

/**
 * {@code explain} output pinned by golden files ({@code src/test/resources/explain/NAME.txt}): one per planner
 * rule. The text must be byte-identical for the same query, on any data and after any commits, and on a second
 * instance. Run with -Daedb.explain.update=true to rewrite the files after a deliberate change, then review the diff.
 */
class ExplainGoldenTest
{
    @TempDir
    Path dir;

    private static Map<String, Query> queries()
    {
        final Map<String, Query> q = new LinkedHashMap<>();
        q.put("pk-lookup", Query.select("name").from("orders").where_(Expr.and(Expr.eq("region", Value.text("eu")),
            Expr.in("id", Value.integer(3), Value.integer(1)))));
        q.put("pk-range", Query.select().from("orders").where_(Expr.and(Expr.eq("region", Value.text("eu")),
            Expr.gte("id", Value.integer(10)), Expr.lt("id", Value.integer(20)))).limit(5));
        q.put("unique-lookup", Query.select("id").from("orders").where_(Expr.eq("ref", Value.text("r-17"))));
        q.put("index-range-residual", Query.select("id", "total").from("orders").where_(Expr.and(Expr.eq("status", Value.text("open")),
            Expr.between("total", Value.integer(100), Value.integer(500)), Expr.like("name", "%x%")))
            .orderBy("total", Query.Order.DESC).limit(20).offset(5));
        q.put("index-order-pushdown", Query.select().from("orders").where_(Expr.eq("status", Value.text("open")))
            .orderBy("total", Query.Order.ASC).limit(10));
        q.put("index-scan-for-order", Query.select().from("orders").where_(Expr.isNotNull("name"))
            .orderBy("status", Query.Order.ASC).orderBy("total", Query.Order.ASC).limit(3));
        q.put("like-prefix", Query.select().from("orders").where_(Expr.like("status", "op%")).limit(50));
        q.put("full-scan", Query.select().from("orders").where_(Expr.or(Expr.eq("name", Value.text("a")), Expr.isNull("ref"))));
        q.put("empty", Query.select().from("orders").where_(Expr.and(Expr.eq("status", Value.text("a")),
            Expr.eq("status", Value.text("b")))));
        q.put("grouped", Query.select().from("orders").where_(Expr.eq("region", Value.text("eu"))).groupBy("status")
            .aggregate(new Aggregate.Count()).aggregate(new Aggregate.Sum("total")).having(Expr.gt("count_star", Value.integer(1)))
            .orderBy("sum_total", Query.Order.DESC).limit(5));
        q.put("join", Query.select("o.id", "r.name").from("orders").alias("o").innerJoin("orders", "r", "o.ref", "r.ref")
            .leftJoin("orders", "s", "o.status", "s.status").where_(Expr.and(Expr.eq("o.status", Value.text("open")),
                Expr.isNotNull("r.name"))).limit(3));
        return q;
    }

    private static AedbInstance open(final Path d, final int rows)
    {
        final AedbInstance db = AedbInstance.open(d);
        db.createProject("shop");
        db.createTable("shop", "app", "orders", List.of(ColumnDef.of("region", ColumnType.TEXT), ColumnDef.of("id", ColumnType.INTEGER),
            ColumnDef.nullable("name", ColumnType.TEXT), ColumnDef.nullable("status", ColumnType.TEXT),
            ColumnDef.nullable("total", ColumnType.INTEGER), ColumnDef.nullable("ref", ColumnType.TEXT)), List.of("region", "id"));
        db.commit(new Mutation.Ddl(new DdlOperation.CreateIndex("shop", "app", "orders", "by_status_total", List.of("status", "total"), false)));
        db.commit(new Mutation.Ddl(new DdlOperation.CreateIndex("shop", "app", "orders", "u_ref", List.of("ref"), true)));
        for (int i = 0; i < rows; i++)
        {
            db.commit(new Mutation.Upsert("shop", "app", "orders", List.of(Value.text("eu"), Value.integer(i)), Row.of(Value.text("eu"),
                Value.integer(i), Value.text("n" + i), Value.text(i % 2 == 0 ? "open" : "done"), Value.integer(i * 10), Value.text("r-" + i))));
        }
        return db;
    }

    @Test
    void shouldPrintThePinnedPlanForEveryRule() throws IOException
    {
        final boolean update = Boolean.getBoolean("aedb.explain.update");
        try (AedbInstance a = open(dir.resolve("a"), 50); AedbInstance b = open(dir.resolve("b"), 3))
        {
            for (final Map.Entry<String, Query> e : queries().entrySet())
            {
                final String text = a.explain("shop", "app", e.getValue(), QueryOptions.defaults()).text();
                assertEquals(text, b.explain("shop", "app", e.getValue()).text(), e.getKey() + ": the same on other data");
                a.commit(new Mutation.Delete("shop", "app", "orders", List.of(Value.text("eu"), Value.integer(1))));
                assertEquals(text, a.explain("shop", "app", e.getValue()).text(), e.getKey() + ": the same after a commit");
                final Path golden = Path.of("src/test/resources/explain", e.getKey() + ".txt");
                if (update)
                {
                    Files.createDirectories(golden.getParent());
                    Files.writeString(golden, text, StandardCharsets.UTF_8);
                    continue;
                }
                final var resource = ExplainGoldenTest.class.getResourceAsStream("/explain/" + e.getKey() + ".txt");
                assertNotNull(resource, "no golden file for " + e.getKey() + "; its text is:\n" + text);
                try (resource)
                {
                    assertEquals(new String(resource.readAllBytes(), StandardCharsets.UTF_8), text, e.getKey());
                }
            }
        }
    }
}
