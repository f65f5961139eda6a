package dev.aedb;

import dev.aedb.catalog.ColumnDef;
import dev.aedb.catalog.ColumnType;
import dev.aedb.catalog.DdlOperation;
import dev.aedb.catalog.Row;
import dev.aedb.catalog.Value;
import dev.aedb.commit.Mutation;
import dev.aedb.query.Expr;
import dev.aedb.query.Query;
import dev.aedb.query.QueryResult;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** The seed README quick start, in Java. */
class QuickstartTest
{
    @TempDir
    Path dir;

    @Test
    void shouldRunTheReadmeQuickstart()
    {
        try (AedbInstance db = AedbInstance.open(new AedbConfig().storeSegmentBytes(4 << 20), dir))
        {
            db.createProject("demo");
            db.createScope("demo", "app");
            db.commit(new Mutation.Ddl(new DdlOperation.CreateTable("demo", "app", "users", null,
                List.of(new ColumnDef("id", ColumnType.INTEGER, false), new ColumnDef("username", ColumnType.TEXT, false)),
                List.of("id"))));
            db.commit(new Mutation.Upsert("demo", "app", "users", List.of(Value.integer(1)),
                Row.of(Value.integer(1), Value.text("alice"))));

            final Query query = Query.select("id", "username").from("users").where_(Expr.eq("id", Value.integer(1)));
            final QueryResult result = db.query("demo", "app", query);

            assertEquals(1, result.rows().size());
            assertEquals(Row.of(Value.integer(1), Value.text("alice")), result.rows().get(0));
            assertEquals("PrimaryKeyLookup", result.plan());
            assertEquals(db.headState().visibleHeadSeq(), result.snapshotSeq());
        }
    }
}
