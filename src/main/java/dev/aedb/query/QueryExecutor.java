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
import java.util.function.Function;

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
     * @param options   not null; its cursor, if any, must name {@code seq} (the caller pins the cursor's seq).
     * @param cursorKey the instance's key that signs and checks query cursors.
     * @return the rows, in ORDER BY order, else in the access path's order; a cursor when a limit left rows out.
     * @throws AedbException INVALID_QUERY, COLUMN_NOT_FOUND or TYPE_MISMATCH for a query that does not fit the table;
     *                       SCAN_BOUND_EXCEEDED when it would examine more than {@code maxScanRows} rows without
     *                       {@code allowFullScan}; INVALID_CURSOR for a cursor that is not this query's at this seq.
     */
    public static QueryResult execute(final TableState table, final long seq, final Query query, final QueryOptions options,
        final byte[] cursorKey)
    {
        return execute(table, name -> 
        {
            throw new AedbException(ErrorCode.TABLE_NOT_FOUND, "table not found: " + name);
        }, seq, query, options, cursorKey);
    }

    /**
     * As {@link #execute(TableState, long, Query, QueryOptions, byte[])}, with the tables a join may name.
     *
     * @param tables the query's scope's tables by name, at the reader's catalog version (TABLE_NOT_FOUND for others).
     */
    public static QueryResult execute(final TableState table, final Function<String, TableState> tables, final long seq,
        final Query query, final QueryOptions options, final byte[] cursorKey)
    {
        if (!query.joins().isEmpty())
        {
            return Joins.execute(table, tables, seq, query, options);
        }
        final TableSchema schema = table.schema();
        if (options.cursor() != null && (aggregating(query) || query.offset() > 0 || query.limit() < 0))
        {
            throw new AedbException(ErrorCode.INVALID_QUERY, "a cursor continues a query with a limit (the page size), no offset, "
                + "no groups and no DISTINCT");
        }
        if (aggregating(query))
        {
            final Grouping.Shape shape = Grouping.shape(schema, query);
            final Planner.Plan plan = Planner.plan(table, query, options, false);
            final Run run = new Run(table, seq, plan, options);
            run.wanted = Grouping.wanted(schema, query, shape); // decode only the columns the stages read
            final Grouping.Groups groups = query.grouped() ? new Grouping.Groups(query, shape) : null;
            run.sink = groups == null ? null : groups::add; // aggregate as rows are read; keep none
            run.scan();
            final List<Row> rows = new ArrayList<>(run.out.size());
            run.out.forEach(c -> rows.add(c.row));
            return new QueryResult(new ColumnNames(shape.output, shape.selected), Grouping.finish(schema, query, shape, rows, groups),
                seq, run.examined, plan.path.name(), null);
        }
        final int[] projection = projection(schema, query.columns());
        final List<String> names = new ColumnNames(schema, projection);
        final QueryResult point = options.cursor() == null ? pointLookup(table, seq, query, projection, names) : null;
        if (point != null)
        {
            return point;
        }
        final Planner.Plan plan = Planner.plan(table, query, options, false);
        final boolean pages = plan.limit != Long.MAX_VALUE && plan.offset == 0;
        QueryCursor resume = null;
        if (options.cursor() != null)
        {
            resume = QueryCursor.decode(options.cursor(), cursorKey);
            resume.requireFingerprint(fingerprint(table, query, plan));
            if (resume.seq != seq)
            {
                throw new AedbException(ErrorCode.INVALID_CURSOR, "the cursor belongs to snapshot " + resume.seq + ", not " + seq);
            }
            if (resume.kind != (plan.sort.isEmpty() ? QueryCursor.PATH : QueryCursor.SORTED))
            {
                throw new AedbException(ErrorCode.INVALID_CURSOR, "invalid query cursor: it continues another plan");
            }
        }
        final Run run = new Run(table, seq, plan, options, pages, resume);
        run.scan();
        List<Candidate> rows = run.out;
        if (!plan.sort.isEmpty())
        {
            final Comparator<Candidate> order = sortOrder(plan);
            rows.sort(order);
            if (resume != null)
            {
                final Candidate last = sortPosition(plan, resume);
                int from = 0;
                while (from < rows.size() && order.compare(rows.get(from), last) <= 0)
                {
                    from++;
                }
                rows = rows.subList(from, rows.size());
            }
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
        String next = null;
        if (pages && rows.size() > plan.limit)
        {
            final Candidate last = rows.get((int)plan.limit - 1);
            final byte[] fingerprint = fingerprint(table, query, plan); // only when a cursor is made or checked
            next = plan.sort.isEmpty()
                ? new QueryCursor(QueryCursor.PATH, seq, fingerprint, List.of(last.sourceKey)).encode(cursorKey)
                : new QueryCursor(QueryCursor.SORTED, seq, fingerprint, sortParts(plan, last)).encode(cursorKey);
        }
        return new QueryResult(names, out, seq, run.examined, plan.path.name(), next);
    }

    /**
     * @return the snapshot seq a query cursor continues at, after checking its signature with the instance's key.
     * @throws AedbException INVALID_CURSOR for a malformed, tampered or foreign cursor.
     */
    public static long cursorSeq(final String cursor, final byte[] cursorKey)
    {
        return QueryCursor.decode(cursor, cursorKey).seq;
    }

    private static byte[] fingerprint(final TableState table, final Query query, final Planner.Plan plan)
    {
        final StringBuilder shape = new StringBuilder();
        shape.append(query.table()).append('\u0000').append(String.join(",", query.columns())).append('\u0000')
            .append(query.where() == null ? "" : Predicates.render(query.where())).append('\u0000');
        query.orderBy().forEach(k -> shape.append(k.column()).append(' ').append(k.order()).append(','));
        shape.append('\u0000').append(plan.path).append('\u0000').append(plan.index == null ? "" : plan.index.schema().name());
        return QueryCursor.fingerprint(table.tableId(), shape.toString());
    }

    private static List<byte[]> sortParts(final Planner.Plan plan, final Candidate last)
    {
        final List<byte[]> parts = new ArrayList<>();
        for (final int c : plan.sortColumns)
        {
            final ByteWriter w = new ByteWriter(32);
            KeyCodec.encodeIndexValue(last.row.get(c), w);
            parts.add(w.toByteArray());
        }
        parts.add(last.primaryKey);
        return parts;
    }

    /** @return a candidate standing at a SORTED cursor's position, for the sort order's comparator. */
    private static Candidate sortPosition(final Planner.Plan plan, final QueryCursor cursor)
    {
        if (cursor.parts.size() != plan.sortColumns.length + 1)
        {
            throw new AedbException(ErrorCode.INVALID_CURSOR, "invalid query cursor: malformed");
        }
        int width = 0;
        for (final int c : plan.sortColumns)
        {
            width = Math.max(width, c + 1);
        }
        final Value[] values = new Value[width];
        java.util.Arrays.fill(values, Value.NULL);
        for (int i = 0; i < plan.sortColumns.length; i++)
        {
            final byte[] part = cursor.parts.get(i);
            try
            {
                values[plan.sortColumns[i]] = KeyCodec.decodeValue(new UnsafeBuffer(part), 0, part.length);
            }
            catch (final IllegalArgumentException ex)
            {
                throw new AedbException(ErrorCode.INVALID_CURSOR, "invalid query cursor: malformed");
            }
        }
        return new Candidate(Row.of(values), cursor.parts.get(plan.sortColumns.length), null);
    }

    /** Rows a scan passed (in its order) and rows it examined. */
    record Scan(List<Row> rows, long examined)
    {
    }

    /**
     * @param wanted the columns to decode (the rest read as NULL), or null for all.
     * @return every row the plan reads and its residual filter keeps (the plan has no limit or sort of its own).
     */
    static Scan scan(final TableState table, final long seq, final Planner.Plan plan, final QueryOptions options, final boolean[] wanted)
    {
        final Run run = new Run(table, seq, plan, options);
        run.wanted = wanted;
        run.scan();
        final List<Row> rows = new ArrayList<>(run.out.size());
        run.out.forEach(c -> rows.add(c.row));
        return new Scan(rows, run.examined);
    }

    /**
     * The planner's first rule without the planner: a predicate that is one equality per primary-key column (alone
     * or in one And) and nothing else to do (no ORDER BY, offset) is a hash lookup. Null when the query is not of
     * that shape; the planner then decides (and explains) the same path.
     */
    private static QueryResult pointLookup(final TableState table, final long seq, final Query query, final int[] projection,
        final List<String> names)
    {
        final Expr where = query.where();
        if (where == null || !query.orderBy().isEmpty() || query.offset() != 0 || query.limit() == 0 || query.limit() < -1)
        {
            return null;
        }
        final int[] pk = table.primaryKeyIndexes();
        final Value[] key = new Value[pk.length];
        if (where instanceof Expr.Eq eq)
        {
            if (pk.length != 1 || !slot(table.schema(), pk, eq, key))
            {
                return null;
            }
        }
        else if (where instanceof Expr.And and && and.terms().size() == pk.length)
        {
            for (final Expr t : and.terms())
            {
                if (!(t instanceof Expr.Eq eq) || !slot(table.schema(), pk, eq, key))
                {
                    return null;
                }
            }
        }
        else
        {
            return null;
        }
        Predicates.check(table.schema(), where, 0);
        final ByteWriter w = new ByteWriter(64);
        for (final Value v : key)
        {
            KeyCodec.encodeIndexValue(v, w);
        }
        final KeySpace rows = table.rows();
        final long node = rows.find(w.buffer(), 0, w.position());
        final long v = node == 0 ? 0 : rows.liveVersionAt(node, seq);
        if (v == 0)
        {
            return new QueryResult(names, List.of(), seq, 0, Planner.Path.PrimaryKeyLookup.name(), null);
        }
        final Row row = RowCodec.decode(rows.payloadBuffer(v), rows.payloadOffset(v), rows.payloadLength(v), table.schema().columns());
        return new QueryResult(names, List.of(project(row, projection)), seq, 1, Planner.Path.PrimaryKeyLookup.name(), null);
    }

    /** Puts an equality's literal at its key column's place; false when it is not a fresh key column or not a plain value. */
    private static boolean slot(final TableSchema schema, final int[] pk, final Expr.Eq eq, final Value[] key)
    {
        final int column = schema.columnIndex(eq.column());
        if (eq.value() instanceof Value.Null || column < 0 || eq.value().type() != schema.columns().get(column).type())
        {
            return false;
        }
        for (int i = 0; i < pk.length; i++)
        {
            if (pk[i] == column)
            {
                if (key[i] != null)
                {
                    return false;
                }
                key[i] = eq.value();
                return true;
            }
        }
        return false;
    }

    /**
     * @return how {@link #execute} would run the query, without reading any row.
     * @throws AedbException as {@link #execute} for a query that does not fit the table.
     */
    public static QueryPlan explain(final TableState table, final long seq, final Query query, final QueryOptions options)
    {
        return explain(table, name ->
        {
            throw new AedbException(ErrorCode.TABLE_NOT_FOUND, "table not found: " + name);
        }, seq, query, options);
    }

    /** As {@link #explain(TableState, long, Query, QueryOptions)}, with the tables a join may name. */
    public static QueryPlan explain(final TableState table, final Function<String, TableState> tables, final long seq,
        final Query query, final QueryOptions options)
    {
        if (!query.joins().isEmpty())
        {
            return Joins.explain(table, tables, seq, query, options);
        }
        if (aggregating(query))
        {
            Grouping.shape(table.schema(), query);
        }
        else
        {
            projection(table.schema(), query.columns());
        }
        return Planner.describe(table, seq, Planner.plan(table, query, options, true), query);
    }

    /** @return whether the query runs the stages after the scan in {@link Grouping}. */
    static boolean aggregating(final Query query)
    {
        return query.grouped() || query.distinctRows() || query.having() != null;
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

    /**
     * A row that passed the filter, with its encoded primary key when a sort needs it for ties, and its source key
     * (primary key or index entry) when a page ends at it.
     */
    private record Candidate(Row row, byte[] primaryKey, byte[] sourceKey)
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
        private final boolean keepSourceKeys;
        /** A PATH cursor's last source key: the scan resumes after it; null otherwise. */
        private final byte[] after;
        private final UnsafeBuffer afterBuffer;
        private final long stopAfter;
        private final ByteWriter prefix = new ByteWriter(64);
        private final List<Candidate> out = new ArrayList<>();
        private final Value[] combination;
        private long examined;
        private boolean done;
        /** The columns to decode, null for all. */
        boolean[] wanted;
        /** Where rows that pass go instead of {@link #out}, or null. */
        java.util.function.Consumer<Row> sink;

        Run(final TableState table, final long seq, final Planner.Plan plan, final QueryOptions options)
        {
            this(table, seq, plan, options, false, null);
        }

        /**
         * @param pages  whether the query may end a page (a limit, no offset): the scan then reads one row more than
         *               the limit, to tell whether more follow, and keeps each row's source key.
         * @param resume the cursor to continue from, or null.
         */
        Run(final TableState table, final long seq, final Planner.Plan plan, final QueryOptions options, final boolean pages,
            final QueryCursor resume)
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
            this.keepSourceKeys = pages && plan.sort.isEmpty();
            this.after = resume != null && resume.kind == QueryCursor.PATH ? onePart(resume) : null;
            this.afterBuffer = after == null ? null : new UnsafeBuffer(after);
            this.stopAfter = plan.sort.isEmpty() && plan.limit != Long.MAX_VALUE ? plan.offset + plan.limit + (pages ? 1 : 0)
                : Long.MAX_VALUE;
            this.combination = new Value[plan.pointColumns];
        }

        private static byte[] onePart(final QueryCursor resume)
        {
            if (resume.parts.size() != 1)
            {
                throw new AedbException(ErrorCode.INVALID_CURSOR, "invalid query cursor: malformed");
            }
            return resume.parts.get(0);
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
                if (after != null && KeySpace.compareKeys(prefix.buffer(), 0, prefix.position(), afterBuffer, 0, after.length) <= 0)
                {
                    if (plan.path == Planner.Path.PrimaryKeyLookup || !KeySpace.startsWith(afterBuffer, 0, after.length, prefix.buffer(),
                        prefix.position()))
                    {
                        return; // this combination's keys all come before the cursor's
                    }
                }
                if (plan.path == Planner.Path.PrimaryKeyLookup)
                {
                    final long node = rows.find(prefix.buffer(), 0, prefix.position()); // the hash index, not a seek
                    if (node != 0)
                    {
                        visit(node, null, 0, 0);
                    }
                    return;
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
            if (after != null && node != 0 && KeySpace.compareKeys(source.keyBuffer(node), source.keyOffset(node), source.keyLength(node),
                afterBuffer, 0, after.length) <= 0)
            {
                node = source.seek(afterBuffer, 0, after.length, false); // the page after the cursor's last row
            }
            final Value likePrefix = r != null && r.likePrefix != null ? Value.text(r.likePrefix) : null;
            for (; node != 0 && !done; node = source.next(node))
            {
                final UnsafeBuffer key = source.keyBuffer(node);
                final int at = source.keyOffset(node);
                final int length = source.keyLength(node);
                if (!KeySpace.startsWith(key, at, length, prefix.buffer(), prefixLength))
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
            final Row row = RowCodec.decode(rows.payloadBuffer(v), rows.payloadOffset(v), rows.payloadLength(v), schema.columns(),
                wanted);
            if (residual != null && Predicates.eval(schema, residual, row) != Predicates.TRUE)
            {
                return;
            }
            if (sink != null)
            {
                sink.accept(row);
                return;
            }
            byte[] primaryKey = null;
            if (keepKeys)
            {
                primaryKey = new byte[rows.keyLength(rowNode)];
                rows.keyBuffer(rowNode).getBytes(rows.keyOffset(rowNode), primaryKey);
            }
            byte[] sourceKey = null;
            if (keepSourceKeys && out.size() + 1 == plan.limit) // the last row of the page: where a cursor resumes
            {
                sourceKey = new byte[source.keyLength(node)];
                source.keyBuffer(node).getBytes(source.keyOffset(node), sourceKey);
            }
            out.add(new Candidate(row, primaryKey, sourceKey));
            if (out.size() >= stopAfter)
            {
                done = true;
            }
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

    /** The names of the projected columns, read from the schema when asked (a query allocates no list of them). */
    static final class ColumnNames extends java.util.AbstractList<String> implements java.util.RandomAccess
    {
        private final TableSchema schema;
        private final int[] projection;

        ColumnNames(final TableSchema schema, final int[] projection)
        {
            this.schema = schema;
            this.projection = projection;
        }

        @Override
        public String get(final int index)
        {
            return schema.columns().get(projection[index]).name();
        }

        @Override
        public int size()
        {
            return projection.length;
        }
    }

    private static Row project(final Row row, final int[] projection)
    {
        if (projection.length == row.size())
        {
            boolean identity = true;
            for (int i = 0; i < projection.length && identity; i++)
            {
                identity = projection[i] == i;
            }
            if (identity)
            {
                return row; // every column in schema order: the decoded row as it is (immutable)
            }
        }
        final Value[] out = new Value[projection.length];
        for (int i = 0; i < projection.length; i++)
        {
            out[i] = row.get(projection[i]);
        }
        return Row.of(out);
    }
}
