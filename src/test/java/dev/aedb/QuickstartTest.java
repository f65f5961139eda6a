package dev.aedb;

import dev.aedb.model.ColumnDef;
import dev.aedb.model.ColumnType;
import dev.aedb.model.DdlOperation;
import dev.aedb.model.Expr;
import dev.aedb.model.Mutation;
import dev.aedb.model.Query;
import dev.aedb.model.QueryResult;
import dev.aedb.model.Row;
import dev.aedb.model.Value;

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
