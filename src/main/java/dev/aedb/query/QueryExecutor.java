package dev.aedb.query;

import dev.aedb.catalog.CatalogState.TableState;
import dev.aedb.catalog.TableSchema;
import dev.aedb.codec.ByteWriter;
import dev.aedb.codec.KeyCodec;
import dev.aedb.codec.RowCodec;
import dev.aedb.model.AedbException;
import dev.aedb.model.ColumnDef;
import dev.aedb.model.ErrorCode;
import dev.aedb.model.Expr;
import dev.aedb.model.Query;
import dev.aedb.model.QueryOptions;
import dev.aedb.model.QueryResult;
import dev.aedb.model.Row;
import dev.aedb.model.Value;
import dev.aedb.store.KeySpace;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Plans and runs a {@link Query} against one table at one pinned seq. Plans: a primary-key lookup when the
 * predicate fixes every key column with equality inside a conjunction, else a scan in key order with the
 * predicate as a filter. The full query engine (indexes, ordering, aggregates) is a later layer.
 */
public final class QueryExecutor
{
    private QueryExecutor()
    {
    }

    /**
     * @param table   the table at the reader's catalog version.
     * @param seq     the pinned snapshot seq.
     * @param query   the query, with a table.
     * @param options not null.
     * @return the rows, in primary-key order.
     * @throws AedbException INVALID_QUERY, COLUMN_NOT_FOUND or TYPE_MISMATCH for a query that does not fit the table.
     */
    public static QueryResult execute(final TableState table, final long seq, final Query query, final QueryOptions options)
    {
        final TableSchema schema = table.schema();
        final int[] projection = projection(schema, query.columns());
        final List<String> names = new ArrayList<>(projection.length);
        for (final int i : projection)
        {
            names.add(schema.columns().get(i).name());
        }
        if (query.where() != null)
        {
            check(schema, query.where(), 0);
        }
        if (query.limit() == 0 || query.limit() < -1)
        {
            throw new AedbException(ErrorCode.INVALID_QUERY, "limit must be > 0, limit=" + query.limit());
        }
        if (query.where() == null && query.limit() < 0 && !options.allowFullScan())
        {
            throw new AedbException(ErrorCode.INVALID_QUERY, "a query without predicate or limit scans the whole table; "
                + "add a limit or set allowFullScan");
        }
        final long limit = query.limit() < 0 ? Long.MAX_VALUE : query.limit();
        final KeySpace ks = table.rows();
        final List<Row> rows = new ArrayList<>();
        final List<Value> key = pointKey(schema, table.primaryKeyIndexes(), query.where());
        if (key != null)
        {
            final ByteWriter w = new ByteWriter(64);
            KeyCodec.encode(key, w);
            final long node = ks.find(w.buffer(), 0, w.position());
            final long v = node == 0 ? 0 : ks.liveVersionAt(node, seq);
            long examined = 0;
            if (v != 0)
            {
                examined = 1;
                final Row row = RowCodec.decode(ks.payloadBuffer(v), ks.payloadOffset(v), ks.payloadLength(v), schema.columns());
                if (matches(schema, query.where(), row))
                {
                    rows.add(project(row, projection));
                }
            }
            return new QueryResult(names, rows, seq, examined, "PrimaryKeyLookup");
        }
        long examined = 0;
        for (long node = ks.first(); node != 0 && rows.size() < limit; node = ks.next(node))
        {
            final long v = ks.liveVersionAt(node, seq);
            if (v == 0)
            {
                continue;
            }
            if (++examined > options.maxScanRows())
            {
                throw new AedbException(ErrorCode.INVALID_QUERY, "query examined more than maxScanRows=" + options.maxScanRows()
                    + " rows; narrow the predicate, add a limit or raise maxScanRows");
            }
            final Row row = RowCodec.decode(ks.payloadBuffer(v), ks.payloadOffset(v), ks.payloadLength(v), schema.columns());
            if (query.where() == null || matches(schema, query.where(), row))
            {
                rows.add(project(row, projection));
            }
        }
        return new QueryResult(names, rows, seq, examined, "FullScanFilter");
    }

    private static int[] projection(final TableSchema schema, final List<String> columns)
    {
        if (columns.isEmpty() || (columns.size() == 1 && columns.get(0).equals("*")))
        {
            final int[] all = new int[schema.columns().size()];
            Arrays.setAll(all, i -> i);
            return all;
        }
        final int[] out = new int[columns.size()];
        for (int i = 0; i < out.length; i++)
        {
            out[i] = columnIndex(schema, columns.get(i));
        }
        return out;
    }

    private static int columnIndex(final TableSchema schema, final String name)
    {
        final int i = schema.columnIndex(name);
        if (i < 0)
        {
            throw new AedbException(ErrorCode.COLUMN_NOT_FOUND, "column not found: " + schema.tableName() + "." + name);
        }
        return i;
    }

    private static Row project(final Row row, final int[] projection)
    {
        final Value[] out = new Value[projection.length];
        for (int i = 0; i < projection.length; i++)
        {
            out[i] = row.get(projection[i]);
        }
        return Row.of(out);
    }

    private static void check(final TableSchema schema, final Expr e, final int depth)
    {
        if (depth > 32)
        {
            throw new AedbException(ErrorCode.INVALID_QUERY, "predicate nests deeper than 32");
        }
        if (e instanceof Expr.And a)
        {
            a.terms().forEach(t -> check(schema, t, depth + 1));
        }
        else if (e instanceof Expr.Or o)
        {
            o.terms().forEach(t -> check(schema, t, depth + 1));
        }
        else if (e instanceof Expr.Not n)
        {
            check(schema, n.term(), depth + 1);
        }
        else if (e instanceof Expr.IsNull n)
        {
            columnIndex(schema, n.column());
        }
        else if (e instanceof Expr.IsNotNull n)
        {
            columnIndex(schema, n.column());
        }
        else
        {
            final String column = comparison(e).column();
            final Value literal = comparison(e).value();
            final ColumnDef c = schema.columns().get(columnIndex(schema, column));
            if (literal == null)
            {
                throw new AedbException(ErrorCode.INVALID_QUERY, "comparison with a null literal on " + column + "; use Value.NULL");
            }
            if (!(literal instanceof Value.Null) && literal.type() != c.type())
            {
                throw new AedbException(ErrorCode.TYPE_MISMATCH, "column " + column + " is " + c.type() + ", literal is " + literal.type());
            }
            if (literal instanceof Value.Float64 f && !Double.isFinite(f.value()))
            {
                // A FLOAT column holds finite values only (writes reject the rest). Value.compare places NaN above
                // +Infinity only so that it agrees with the key encoding; as a filter NaN means nothing (IEEE makes
                // every comparison false) and an infinity decides every comparison by the literal alone: a query
                // that names one is a mistake, not a filter.
                throw new AedbException(ErrorCode.INVALID_QUERY, "column " + column + " holds finite floats only; the literal "
                    + f.value() + " cannot be compared");
            }
        }
    }

    private static Expr.Comparison comparison(final Expr e)
    {
        if (e instanceof Expr.Comparison c)
        {
            return c;
        }
        throw new AedbException(ErrorCode.INVALID_QUERY, "unsupported expression " + e);
    }

    /** @return the full primary key when the predicate fixes every key column by equality in a conjunction. */
    private static List<Value> pointKey(final TableSchema schema, final int[] keyIndexes, final Expr where)
    {
        if (where == null)
        {
            return null;
        }
        final Value[] key = new Value[keyIndexes.length];
        collectEqualities(schema, keyIndexes, where, key);
        for (final Value v : key)
        {
            if (v == null || v instanceof Value.Null)
            {
                return null;
            }
        }
        return List.of(key);
    }

    private static void collectEqualities(final TableSchema schema, final int[] keyIndexes, final Expr e, final Value[] key)
    {
        if (e instanceof Expr.And a)
        {
            a.terms().forEach(t -> collectEqualities(schema, keyIndexes, t, key));
        }
        else if (e instanceof Expr.Eq eq)
        {
            final int column = schema.columnIndex(eq.column());
            for (int i = 0; i < keyIndexes.length; i++)
            {
                if (keyIndexes[i] == column)
                {
                    key[i] = eq.value();
                }
            }
        }
    }

    static boolean matches(final TableSchema schema, final Expr e, final Row row)
    {
        if (e instanceof Expr.And a)
        {
            for (final Expr t : a.terms())
            {
                if (!matches(schema, t, row))
                {
                    return false;
                }
            }
            return true;
        }
        if (e instanceof Expr.Or o)
        {
            for (final Expr t : o.terms())
            {
                if (matches(schema, t, row))
                {
                    return true;
                }
            }
            return false;
        }
        if (e instanceof Expr.Not n)
        {
            return !matches(schema, n.term(), row);
        }
        if (e instanceof Expr.IsNull n)
        {
            return row.get(schema.columnIndex(n.column())) instanceof Value.Null;
        }
        if (e instanceof Expr.IsNotNull n)
        {
            return !(row.get(schema.columnIndex(n.column())) instanceof Value.Null);
        }
        final Value actual = row.get(schema.columnIndex(comparison(e).column()));
        final Value literal = comparison(e).value();
        if (actual instanceof Value.Null || literal instanceof Value.Null)
        {
            return false;
        }
        final int c = Value.compare(actual, literal);
        if (e instanceof Expr.Eq)
        {
            return c == 0;
        }
        if (e instanceof Expr.Ne)
        {
            return c != 0;
        }
        if (e instanceof Expr.Lt)
        {
            return c < 0;
        }
        if (e instanceof Expr.Lte)
        {
            return c <= 0;
        }
        if (e instanceof Expr.Gt)
        {
            return c > 0;
        }
        return c >= 0;
    }
}
