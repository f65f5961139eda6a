package dev.aedb;

import dev.aedb.model.ColumnDef;
import dev.aedb.model.ColumnType;
import dev.aedb.model.DdlOperation;
import dev.aedb.model.ErrorCode;
import dev.aedb.model.Expr;
import dev.aedb.model.Mutation;
import dev.aedb.model.Query;
import dev.aedb.model.QueryOptions;
import dev.aedb.model.QueryResult;
import dev.aedb.model.Row;
import dev.aedb.model.Value;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static dev.aedb.TestSupport.expect;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Query cursors: every page of a query at the first page's snapshot, whatever is committed meanwhile; a page in the
 * access path's order seeks past the last row (deep pages read no more than a page); a cursor is tamper-evident and
 * only continues the query that made it, on the instance that made it.
 */
class QueryCursorTest
{
    @TempDir
    Path dir;

    private static void items(final AedbInstance db, final int n)
    {
        db.createProject("p");
        db.createTable("p", "app", "items", List.of(ColumnDef.of("id", ColumnType.INTEGER), ColumnDef.of("grp", ColumnType.INTEGER),
            ColumnDef.nullable("note", ColumnType.TEXT)), List.of("id"));
        db.commit(new Mutation.Ddl(new DdlOperation.CreateIndex("p", "app", "items", "by_grp", List.of("grp"), false)));
        for (int i = 0; i < n; i++)
        {
            db.commit(put(i, i % 17, i % 3 == 0 ? null : "n" + (i * 7919 % 101)));
        }
    }

    private static Mutation put(final long id, final long grp, final String note)
    {
        return new Mutation.Upsert("p", "app", "items", List.of(Value.integer(id)), Row.of(Value.integer(id), Value.integer(grp),
            note == null ? Value.NULL : Value.text(note)));
    }

    /** Reads every page, committing a write between pages; returns the rows and checks one snapshot throughout. */
    private static List<Row> allPages(final AedbInstance db, final Query query, final QueryOptions options, final int[] writes)
    {
        final List<Row> out = new ArrayList<>();
        String cursor = null;
        long seq = -1;
        do
        {
            final QueryResult page = db.query("p", "app", query, options.withCursor(cursor));
            if (seq >= 0)
            {
                assertEquals(seq, page.snapshotSeq());
            }
            seq = page.snapshotSeq();
            out.addAll(page.rows());
            cursor = page.cursor();
            db.commit(put(10_000 + writes[0], writes[0] % 17, "new"));
            db.commit(new Mutation.Delete("p", "app", "items", List.of(Value.integer(writes[0] * 3L))));
            writes[0]++;
        }
        while (cursor != null);
        return out;
    }

    @Test
    void shouldReadEveryPageAtTheFirstPagesSnapshotWhileRowsChange()
    {
        try (AedbInstance db = TestSupport.open(dir))
        {
            items(db, 250);
            final int[] writes = {0};
            final List<Query> queries = List.of(
                Query.select().from("items").where_(Expr.gte("id", Value.integer(10))).limit(40),
                Query.select().from("items").where_(Expr.in("grp", Value.integer(3), Value.integer(5), Value.integer(9))).limit(7),
                Query.select().from("items").where_(Expr.gt("grp", Value.integer(2))).orderBy("grp", Query.Order.ASC).limit(33),
                Query.select().from("items").where_(Expr.lt("id", Value.integer(200))).orderBy("note", Query.Order.DESC)
                    .orderBy("grp", Query.Order.ASC).limit(25));
            for (final Query q : queries)
            {
                final long before = db.headState().visibleHeadSeq();
                final QueryResult whole = db.query("p", "app", new Query(q.columns(), q.table(), q.where(), q.orderBy(), -1, 0,
                    q.groupBy(), q.aggregates(), q.having(), false, null, List.of()), QueryOptions.defaults().withAllowFullScan(true));
                assertNull(whole.cursor(), "no limit, no cursor");
                final List<Row> paged = allPages(db, q, QueryOptions.defaults(), writes);
                assertEquals(whole.rows(), paged, q + " at seq " + before);
                assertTrue(paged.size() > q.limit(), "more than one page: " + paged.size());
            }
        }
    }

    @Test
    void shouldSeekPastTheLastRowSoThatDeepPagesStayUnderTheScanBound()
    {
        try (AedbInstance db = TestSupport.open(dir))
        {
            items(db, 300);
            final QueryOptions bounded = QueryOptions.defaults().withMaxScanRows(60);
            for (final Query q : List.of(Query.select("id").from("items").where_(Expr.gte("id", Value.integer(0))).limit(50),
                Query.select("id").from("items").where_(Expr.isNotNull("grp")).orderBy("grp", Query.Order.ASC).limit(50)))
            {
                String cursor = null;
                int rows = 0;
                do
                {
                    final QueryResult page = db.query("p", "app", q, bounded.withCursor(cursor));
                    assertTrue(page.rowsExamined() <= 51, "a page reads its rows and one more: " + page.rowsExamined());
                    rows += page.rows().size();
                    cursor = page.cursor();
                }
                while (cursor != null);
                assertEquals(300, rows, q.toString());
            }
            // a sorted query re-reads its matches each page: past the bound it is refused, not truncated
            expect(ErrorCode.SCAN_BOUND_EXCEEDED, () -> db.query("p", "app", Query.select().from("items")
                .where_(Expr.gte("id", Value.integer(0))).orderBy("note", Query.Order.ASC).limit(10), bounded));
        }
    }

    @Test
    void shouldRefuseATamperedForeignOrOtherQuerysCursor()
    {
        final Query q = Query.select().from("items").where_(Expr.gte("id", Value.integer(0))).limit(10);
        final String cursor;
        try (AedbInstance db = TestSupport.open(dir.resolve("a")))
        {
            items(db, 50);
            cursor = db.query("p", "app", q).cursor();
            assertNotNull(cursor);
            final char[] chars = cursor.toCharArray();
            for (final int at : new int[]{0, chars.length / 2, chars.length - 1})
            {
                final char[] bad = chars.clone();
                bad[at] = bad[at] == 'A' ? 'B' : 'A';
                expect(ErrorCode.INVALID_CURSOR, () -> db.query("p", "app", q, QueryOptions.defaults().withCursor(new String(bad))));
            }
            expect(ErrorCode.INVALID_CURSOR, () -> db.query("p", "app", q, QueryOptions.defaults().withCursor("not a cursor!")));
            expect(ErrorCode.INVALID_CURSOR, () -> db.query("p", "app", q, QueryOptions.defaults().withCursor("")));
            expect(ErrorCode.INVALID_CURSOR, () -> db.query("p", "app", q.where_(Expr.gte("id", Value.integer(1))),
                QueryOptions.defaults().withCursor(cursor)));
            expect(ErrorCode.INVALID_QUERY, () -> db.query("p", "app", q.offset(3), QueryOptions.defaults().withCursor(cursor)));
            expect(ErrorCode.INVALID_QUERY, () -> db.query("p", "app", q.distinct(), QueryOptions.defaults().withCursor(cursor)));
            assertEquals(Value.integer(10), db.query("p", "app", q.limit(5), QueryOptions.defaults().withCursor(cursor)).rows().get(0)
                .get(0), "any page size continues the query");
        }
        try (AedbInstance db = AedbInstance.open(TestSupport.smallConfig(), dir.resolve("a")))
        {
            expect(ErrorCode.INVALID_CURSOR, () -> db.query("p", "app", q, QueryOptions.defaults().withCursor(cursor)));
        }
    }
}
