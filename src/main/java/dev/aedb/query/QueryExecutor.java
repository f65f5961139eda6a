package dev.aedb.query;

import dev.aedb.catalog.CatalogState.TableState;
import dev.aedb.catalog.IndexKeys;
import dev.aedb.catalog.TableSchema;
import dev.aedb.codec.ByteWriter;
import dev.aedb.codec.KeyCodec;
import dev.aedb.codec.RowCodec;
import dev.aedb.model.AedbException;
import dev.aedb.model.ErrorCode;
import dev.aedb.model.Expr;
import dev.aedb.model.Query;
import dev.aedb.model.QueryOptions;
import dev.aedb.model.QueryPlan;
import dev.aedb.model.QueryResult;
import dev.aedb.model.Row;
import dev.aedb.model.Value;
import dev.aedb.store.KeySpace;

import org.agrona.DirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;

/**
 * Plans ({@link Planner}) and runs a {@link Query} against one table at one pinned seq: the access path reads key
 * records of the rows' key space or of an index's, in key order, within the plan's points and range; each row read
 * at the seq is checked against the residual conjuncts; then sort (stable, ties in primary-key order), offset,
 * limit and projection. Without a sort the scan stops once offset + limit rows passed.
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
     * @return the rows, in ORDER BY order, else in the access path's order.
     * @throws AedbException INVALID_QUERY, COLUMN_NOT_FOUND or TYPE_MISMATCH for a query that does not fit the table;
     *                       SCAN_BOUND_EXCEEDED when it would examine more than {@code maxScanRows} rows without
     *                       {@code allowFullScan}.
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
        final Planner.Plan plan = Planner.plan(table, query, options);
        final Run run = new Run(table, seq, plan, options);
        run.scan();
        final List<Candidate> rows = run.out;
        if (!plan.sort.isEmpty())
        {
            rows.sort(sortOrder(plan));
        }
        final List<Row> out = new ArrayList<>();
        final long end = plan.limit == Long.MAX_VALUE ? Long.MAX_VALUE : plan.offset + plan.limit;
        for (int i = 0; i < rows.size() && i < end; i++)
        {
            if (i >= plan.offset)
            {
                out.add(project(rows.get(i).row, projection));
            }
        }
        return new QueryResult(names, out, seq, run.examined, plan.path.name());
    }

    /**
     * @return how {@link #execute} would run the query, without reading any row.
     * @throws AedbException as {@link #execute} for a query that does not fit the table.
     */
    public static QueryPlan explain(final TableState table, final long seq, final Query query, final QueryOptions options)
    {
        projection(table.schema(), query.columns());
        return Planner.describe(table, seq, Planner.plan(table, query, options));
    }

    private static Comparator<Candidate> sortOrder(final Planner.Plan plan)
    {
        final int[] columns = plan.sortColumns;
        final boolean[] descending = new boolean[columns.length];
        for (int i = 0; i < columns.length; i++)
        {
            descending[i] = plan.sort.get(i).order() == Query.Order.DESC;
        }
        return (a, b) ->
        {
            for (int i = 0; i < columns.length; i++)
            {
                final int c = Predicates.compare(a.row.get(columns[i]), b.row.get(columns[i]));
                if (c != 0)
                {
                    return descending[i] ? -c : c;
                }
            }
            return Arrays.compareUnsigned(a.primaryKey, b.primaryKey);
        };
    }

    /** A row that passed the filter, with its encoded primary key when a sort needs it for ties. */
    private record Candidate(Row row, byte[] primaryKey)
    {
    }

    /** One execution of a plan. */
    private static final class Run
    {
        private final TableSchema schema;
        private final long seq;
        private final Planner.Plan plan;
        private final QueryOptions options;
        private final KeySpace rows;
        private final KeySpace source;
        private final Expr residual;
        private final boolean keepKeys;
        private final long stopAfter;
        private final ByteWriter prefix = new ByteWriter(64);
        private final List<Candidate> out = new ArrayList<>();
        private final Value[] combination;
        private long examined;
        private boolean done;

        Run(final TableState table, final long seq, final Planner.Plan plan, final QueryOptions options)
        {
            this.schema = table.schema();
            this.seq = seq;
            this.plan = plan;
            this.options = options;
            this.rows = table.rows();
            this.source = plan.index == null ? rows : plan.index.entries();
            this.residual = plan.residual.isEmpty() ? null : plan.residual.size() == 1 ? plan.residual.get(0)
                : new Expr.And(plan.residual);
            this.keepKeys = !plan.sort.isEmpty();
            this.stopAfter = plan.sort.isEmpty() && plan.limit != Long.MAX_VALUE ? plan.offset + plan.limit : Long.MAX_VALUE;
            this.combination = new Value[plan.pointColumns];
        }

        void scan()
        {
            if (plan.empty)
            {
                return;
            }
            combinations(0);
        }

        /** Reads every combination of the leading columns' points, in key order, each with the range. */
        private void combinations(final int column)
        {
            if (done)
            {
                return;
            }
            if (column == plan.pointColumns)
            {
                prefix.reset();
                for (final Value v : combination)
                {
                    KeyCodec.encodeIndexValue(v, prefix);
                }
                range(prefix.position());
                return;
            }
            for (final Value v : plan.points.get(column))
            {
                combination[column] = v;
                combinations(column + 1);
                if (done)
                {
                    return;
                }
            }
        }

        private void range(final int prefixLength)
        {
            final Planner.ColumnBounds r = plan.range;
            Value low = null;
            if (r != null)
            {
                low = r.low;
                if (r.likePrefix != null)
                {
                    final Value p = Value.text(r.likePrefix);
                    if (low == null || Predicates.compare(p, low) > 0)
                    {
                        low = p;
                    }
                }
                if (low != null)
                {
                    KeyCodec.encodeIndexValue(low, prefix);
                }
                else
                {
                    prefix.putByte(KeyCodec.ABOVE_NULL); // a range holds no NULL: start after them
                }
            }
            long node = prefix.position() == 0 ? source.first() : source.seek(prefix.buffer(), 0, prefix.position(), true);
            final Value likePrefix = r != null && r.likePrefix != null ? Value.text(r.likePrefix) : null;
            for (; node != 0 && !done; node = source.next(node))
            {
                final UnsafeBuffer key = source.keyBuffer(node);
                final int at = source.keyOffset(node);
                final int length = source.keyLength(node);
                if (!startsWith(key, at, length, prefix.buffer(), prefixLength))
                {
                    return;
                }
                if (r != null)
                {
                    final Value v = KeyCodec.decodeValue(key, at + prefixLength, at + length);
                    if (v instanceof Value.Null)
                    {
                        continue;
                    }
                    if (r.low != null)
                    {
                        final int c = Predicates.compare(v, r.low);
                        if (c < 0 || (c == 0 && !r.lowInclusive))
                        {
                            continue;
                        }
                    }
                    if (r.high != null)
                    {
                        final int c = Predicates.compare(v, r.high);
                        if (c > 0 || (c == 0 && !r.highInclusive))
                        {
                            return;
                        }
                    }
                    if (likePrefix != null && !((Value.Text)v).value().startsWith(r.likePrefix))
                    {
                        if (Predicates.compare(v, likePrefix) > 0)
                        {
                            return;
                        }
                        continue;
                    }
                }
                visit(node, key, at, length);
            }
        }

        private void visit(final long node, final DirectBuffer key, final int at, final int length)
        {
            final long rowNode;
            if (plan.index == null)
            {
                rowNode = node;
            }
            else
            {
                if (source.liveVersionAt(node, seq) == 0)
                {
                    return;
                }
                final int pk = IndexKeys.primaryKeyOffset(plan.keyColumns.length, key, at, length);
                rowNode = rows.find(key, pk, at + length - pk);
                if (rowNode == 0)
                {
                    throw new AedbException(ErrorCode.INTERNAL_ERROR, "index " + plan.index.schema().name() + " of "
                        + schema.tableName() + " has an entry at seq " + seq + " for a row that does not exist");
                }
            }
            final long v = rows.liveVersionAt(rowNode, seq);
            if (v == 0)
            {
                if (plan.index != null)
                {
                    throw new AedbException(ErrorCode.INTERNAL_ERROR, "index " + plan.index.schema().name() + " of "
                        + schema.tableName() + " has an entry at seq " + seq + " for a row that is not live then");
                }
                return;
            }
            if (++examined > options.maxScanRows() && !options.allowFullScan())
            {
                throw new AedbException(ErrorCode.SCAN_BOUND_EXCEEDED, "query examined more than maxScanRows="
                    + options.maxScanRows() + " rows of " + schema.tableName() + " (access path " + plan.path
                    + "); narrow the predicate, add a limit, raise maxScanRows or set allowFullScan");
            }
            final Row row = RowCodec.decode(rows.payloadBuffer(v), rows.payloadOffset(v), rows.payloadLength(v), schema.columns());
            if (residual != null && Predicates.eval(schema, residual, row) != Predicates.TRUE)
            {
                return;
            }
            byte[] primaryKey = null;
            if (keepKeys)
            {
                primaryKey = new byte[rows.keyLength(rowNode)];
                rows.keyBuffer(rowNode).getBytes(rows.keyOffset(rowNode), primaryKey);
            }
            out.add(new Candidate(row, primaryKey));
            if (out.size() >= stopAfter)
            {
                done = true;
            }
        }

        private static boolean startsWith(final DirectBuffer key, final int at, final int length, final DirectBuffer prefix,
            final int prefixLength)
        {
            if (length < prefixLength)
            {
                return false;
            }
            for (int i = 0; i < prefixLength; i++)
            {
                if (key.getByte(at + i) != prefix.getByte(i))
                {
                    return false;
                }
            }
            return true;
        }
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
            Predicates.column(schema, columns.get(i));
            out[i] = schema.columnIndex(columns.get(i));
        }
        return out;
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
}
