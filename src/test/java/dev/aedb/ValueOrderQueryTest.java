package dev.aedb;

import dev.aedb.model.ColumnDef;
import dev.aedb.model.ColumnType;
import dev.aedb.model.ConsistencyMode;
import dev.aedb.model.Expr;
import dev.aedb.model.Mutation;
import dev.aedb.model.Query;
import dev.aedb.model.QueryResult;
import dev.aedb.model.Row;
import dev.aedb.model.Value;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Query filters compare in the key order ({@link Value#compare}): what a primary-key lookup finds, a filter keeps, and
 * a range filter returns the rows on its side of the bound in {@code scanTable} order. Before one order existed the
 * filter used {@code Double.compare} (-0.0 below 0.0) and {@code String.compareTo} (UTF-16 order).
 */
class ValueOrderQueryTest
{
    /** U+E000, a BMP character above the surrogates: UTF-16 order puts it after every supplementary character. */
    private static final String PRIVATE_USE = "\uE000";
    /** U+FFFF, the last BMP character. */
    private static final String LAST_BMP = "\uFFFF";
    /** U+10000, the first supplementary character (a surrogate pair in UTF-16). */
    private static final String FIRST_SUPPLEMENTARY = "\uD800\uDC00";
    /** U+1F600, a supplementary character. */
    private static final String EMOJI = "\uD83D\uDE00";

    @TempDir
    Path dir;

    @Test
    void shouldFindRowKeyedNegativeZeroWhenQueriedWithZero()
    {
        try (AedbInstance db = TestSupport.open(dir))
        {
            db.createProject("p");
            db.createTable("p", "app", "floats", List.of(ColumnDef.of("k", ColumnType.FLOAT), ColumnDef.of("v", ColumnType.TEXT)),
                List.of("k"));
            db.commit(new Mutation.Insert("p", "app", "floats", List.of(Value.float64(-0.0)),
                Row.of(Value.float64(-0.0), Value.text("minus zero"))));
            db.commit(new Mutation.Insert("p", "app", "floats", List.of(Value.float64(1.0)), Row.of(Value.float64(1.0), Value.text("one"))));

            final QueryResult lookup = db.query("p", "app", Query.select("v").from("floats").where_(Expr.eq("k", Value.float64(0.0))));
            assertEquals("PrimaryKeyLookup", lookup.plan());
            assertEquals(List.of(Row.of(Value.text("minus zero"))), lookup.rows(), "the lookup finds the row and the filter keeps it");

            final QueryResult scan = db.query("p", "app", Query.select("v").from("floats")
                .where_(Expr.and(Expr.gte("k", Value.float64(0.0)), Expr.lte("k", Value.float64(0.0)))));
            assertEquals("PrimaryKeyRangeScan", scan.plan());
            assertEquals(List.of(Row.of(Value.text("minus zero"))), scan.rows(), "0.0 <= -0.0 <= 0.0");
            assertEquals(List.of(Row.of(Value.text("one"))),
                db.query("p", "app", Query.select("v").from("floats").where_(Expr.gt("k", Value.float64(0.0)))).rows());

            final Value stored = db.query("p", "app", Query.select("k").from("floats").where_(Expr.eq("k", Value.float64(0.0))))
                .rows().get(0).get(0);
            assertEquals(Double.doubleToRawLongBits(-0.0), Double.doubleToRawLongBits(((Value.Float64)stored).value()),
                "the row keeps the value it was given; only the key and the order identify the two zeros");
        }
    }

    @Test
    void shouldFilterTextRangesInKeyOrderWhenKeysHoldSupplementaryCharacters()
    {
        try (AedbInstance db = TestSupport.open(dir))
        {
            db.createProject("p");
            db.createTable("p", "app", "texts", List.of(ColumnDef.of("k", ColumnType.TEXT)), List.of("k"));
            for (final String k : List.of(EMOJI, PRIVATE_USE, "a", FIRST_SUPPLEMENTARY, LAST_BMP))
            {
                db.commit(new Mutation.Insert("p", "app", "texts", List.of(Value.text(k)), Row.of(Value.text(k))));
            }
            final List<Row> keyOrder = db.scanTable("p", "app", "texts", 10, null, ConsistencyMode.AT_LATEST).rows();
            assertEquals(rows("a", PRIVATE_USE, LAST_BMP, FIRST_SUPPLEMENTARY, EMOJI), keyOrder, "key order is code point order");

            assertEquals(keyOrder.subList(2, 5), filter(db, Expr.gt("k", Value.text(PRIVATE_USE))));
            assertEquals(keyOrder.subList(0, 3), filter(db, Expr.lt("k", Value.text(FIRST_SUPPLEMENTARY))));
            assertEquals(keyOrder.subList(1, 4),
                filter(db, Expr.and(Expr.gte("k", Value.text(PRIVATE_USE)), Expr.lte("k", Value.text(FIRST_SUPPLEMENTARY)))));
        }
    }

    @Test
    void shouldAcceptZeroKeyWhenRowHoldsNegativeZero()
    {
        try (AedbInstance db = TestSupport.open(dir))
        {
            db.createProject("p");
            db.createTable("p", "app", "floats", List.of(ColumnDef.of("k", ColumnType.FLOAT)), List.of("k"));
            // -0.0 and 0.0 are one key, so the key given with the row names the row's key.
            db.commit(new Mutation.Insert("p", "app", "floats", List.of(Value.float64(0.0)), Row.of(Value.float64(-0.0))));
            assertEquals(1, db.query("p", "app", Query.select().from("floats").where_(Expr.eq("k", Value.float64(-0.0)))).rows().size());
        }
    }

    private static List<Row> filter(final AedbInstance db, final Expr where)
    {
        final QueryResult result = db.query("p", "app", Query.select().from("texts").where_(where));
        assertTrue(result.plan().equals("FullScanFilter") || result.plan().equals("PrimaryKeyRangeScan"), result.plan());
        final QueryResult scanned = db.query("p", "app", Query.select().from("texts").where_(Expr.or(where, Expr.isNull("k"))));
        assertEquals("FullScanFilter", scanned.plan());
        assertEquals(scanned.rows(), result.rows(), "the key range reads what the full scan keeps");
        return result.rows();
    }

    private static List<Row> rows(final String... keys)
    {
        final List<Row> out = new ArrayList<>();
        for (final String k : keys)
        {
            out.add(Row.of(Value.text(k)));
        }
        return out;
    }
}
