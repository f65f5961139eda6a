package dev.aedb.query;

import dev.aedb.catalog.CatalogState.IndexState;
import dev.aedb.catalog.CatalogState.TableState;
import dev.aedb.catalog.IndexKeys;
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
import dev.aedb.model.QueryPlan;
import dev.aedb.model.QueryResult;
import dev.aedb.model.Row;
import dev.aedb.model.Value;
import dev.aedb.store.KeySpace;

import org.agrona.concurrent.UnsafeBuffer;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;

/**
 * Equality joins (docs/design.md §13, "Joins"). The conjuncts of the predicate that name only the base table's
 * columns are planned with it (so its indexes and key ranges apply); each joined table is then read for each row so
 * far by the cheapest of: a primary-key lookup (the right column is the whole primary key), an index lookup (the
 * right column leads an index), or a hash table built once from a scan of the right table. A NULL join value matches
 * nothing; a LEFT join keeps an unmatched row once with NULLs. The remaining conjuncts filter the joined rows, then
 * grouping, ORDER BY, OFFSET, LIMIT and projection run over the qualified columns ({@code alias.column}). Rows come in
 * the base table's path order, each followed by its partners in the right table's key or index order. Every row read
 * and every joined row counts against {@code maxScanRows}.
 */
final class Joins
{
    static final int MAX_JOINS = 8;

    private Joins()
    {
    }

    /** One table of the join: its state, alias and the position of its first column in a joined row. */
    private record Part(TableState table, String alias, int offset)
    {
    }

    /** A checked join query: its tables, joined columns, the base table's plan and the conjuncts left for the joined rows. */
    private record Prepared(List<Part> parts, TableSchema schema, int[] leftPositions, int[] rightColumns, Grouping.Shape shape,
        Planner.Plan plan, Expr residual, boolean[][] wanted)
    {
    }

    static QueryResult execute(final TableState base, final Function<String, TableState> tables, final long seq, final Query query,
        final QueryOptions options)
    {
        final Prepared p = prepare(base, tables, query, options, false);
        final Counter counter = new Counter(options);
        final QueryExecutor.Scan scan = QueryExecutor.scan(base, seq, p.plan, options, p.wanted[0]);
        counter.add(scan.examined());
        List<Value[]> rows = new ArrayList<>();
        final int width = p.schema.columns().size();
        for (final Row r : scan.rows())
        {
            final Value[] v = new Value[width];
            for (int i = 0; i < r.size(); i++)
            {
                v[i] = r.get(i);
            }
            rows.add(v);
        }
        for (int i = 0; i < query.joins().size(); i++)
        {
            rows = join(rows, query.joins().get(i).type(), p.parts.get(i + 1), p.leftPositions[i], p.rightColumns[i], seq, counter,
                p.wanted[i + 1]);
        }
        final List<Row> joined = new ArrayList<>(rows.size());
        for (final Value[] v : rows)
        {
            final Row r = Row.of(v);
            if (p.residual == null || Predicates.eval(p.schema, p.residual, r) == Predicates.TRUE)
            {
                joined.add(r);
            }
        }
        final List<Row> out = Grouping.finish(p.schema, query, p.shape, joined);
        return new QueryResult(new QueryExecutor.ColumnNames(p.shape.output, p.shape.selected), out, seq, counter.examined,
            "Join(" + p.plan.path.name() + ")", null);
    }

    /** @return the plan of a join query: the base table's plan, then one stage per join with how it reads. */
    static QueryPlan explain(final TableState base, final Function<String, TableState> tables, final long seq, final Query query,
        final QueryOptions options)
    {
        final Prepared p = prepare(base, tables, query, options, true);
        final QueryPlan b = Planner.describe(base, seq, p.plan, Query.select().from(query.table()));
        final List<String> trace = new ArrayList<>(b.trace());
        for (int i = 0; i < query.joins().size(); i++)
        {
            final Query.Join j = query.joins().get(i);
            trace.add(j.type() + " join " + j.table() + " AS " + j.alias() + " ON " + j.leftColumn() + " = " + j.rightColumn() + ": "
                + strategy(p.parts.get(i + 1).table, p.rightColumns[i]));
        }
        final List<String> stages = new ArrayList<>();
        stages.add("Scan");
        if (!b.residual().isEmpty())
        {
            stages.add("Filter");
        }
        stages.add("Join");
        if (p.residual != null)
        {
            stages.add("Filter");
        }
        final List<String> sort = new ArrayList<>();
        query.orderBy().forEach(k -> sort.add(k.column() + " " + k.order()));
        Planner.laterStages(query, !sort.isEmpty(), stages);
        final List<String> residual = new ArrayList<>(b.residual());
        if (p.residual != null)
        {
            residual.add(Predicates.render(p.residual));
        }
        return new QueryPlan(b.table(), seq, "Join(" + b.accessPath() + ")", b.index(), b.indexColumns(), b.bounds(), b.pushedDown(),
            residual, sort, stages, -1, false, trace);
    }

    private static String strategy(final TableState t, final int rightColumn)
    {
        final int[] pk = t.primaryKeyIndexes();
        if (pk.length == 1 && pk[0] == rightColumn)
        {
            return "primary-key lookup per row";
        }
        for (final IndexState i : t.indexes().values())
        {
            if (i.columnIndexes()[0] == rightColumn)
            {
                return "index " + i.schema().name() + " lookup per row";
            }
        }
        return "hash table of a full scan";
    }

    private static Prepared prepare(final TableState base, final Function<String, TableState> tables, final Query query,
        final QueryOptions options, final boolean explaining)
    {
        if (query.joins().size() > MAX_JOINS)
        {
            throw new AedbException(ErrorCode.INVALID_QUERY, "at most " + MAX_JOINS + " joins, joins=" + query.joins().size());
        }
        if (options.cursor() != null)
        {
            throw new AedbException(ErrorCode.INVALID_QUERY, "a query with joins has no cursor (use limit and offset)");
        }
        final List<Part> parts = new ArrayList<>();
        final List<ColumnDef> columns = new ArrayList<>();
        final Set<String> aliases = new HashSet<>();
        final String baseAlias = query.alias() == null ? query.table() : query.alias();
        add(parts, columns, aliases, base, baseAlias);
        final int[] leftPositions = new int[query.joins().size()];
        for (int i = 0; i < query.joins().size(); i++)
        {
            final Query.Join j = query.joins().get(i);
            final TableSchema sofar = combined(base.schema(), columns);
            final ColumnDef left = Predicates.column(sofar, j.leftColumn());
            leftPositions[i] = sofar.columnIndex(left.name());
            add(parts, columns, aliases, tables.apply(j.table()), j.alias());
        }
        final TableSchema schema = combined(base.schema(), columns);
        final int[] rightColumns = new int[query.joins().size()];
        for (int i = 0; i < query.joins().size(); i++)
        {
            final Query.Join j = query.joins().get(i);
            final Part part = parts.get(i + 1);
            final String prefix = j.alias() + ".";
            if (!j.rightColumn().startsWith(prefix))
            {
                throw new AedbException(ErrorCode.INVALID_QUERY, "join " + j.alias() + ": the right column " + j.rightColumn()
                    + " must be one of " + j.alias() + "'s (" + prefix + "column)");
            }
            final ColumnDef right = Predicates.column(part.table.schema(), j.rightColumn().substring(prefix.length()));
            rightColumns[i] = part.table.schema().columnIndex(right.name());
            if (right.type() != schema.columns().get(leftPositions[i]).type())
            {
                throw new AedbException(ErrorCode.TYPE_MISMATCH, "join " + j.alias() + ": " + j.leftColumn() + " is "
                    + schema.columns().get(leftPositions[i]).type() + ", " + j.rightColumn() + " is " + right.type());
            }
        }
        if (query.where() != null)
        {
            Predicates.check(schema, query.where(), 0);
        }
        final Grouping.Shape shape = Grouping.shape(schema, query);
        if (query.where() == null && query.limit() < 0 && !options.allowFullScan() && !QueryExecutor.aggregating(query))
        {
            throw new AedbException(ErrorCode.INVALID_QUERY, "a join without predicate or limit reads whole tables; "
                + "add a limit or set allowFullScan");
        }

        // The base table's own conjuncts go to its planner, renamed to its unqualified columns.
        final List<Expr> conjuncts = new ArrayList<>();
        flatten(query.where(), conjuncts);
        final List<Expr> baseTerms = new ArrayList<>();
        final List<Expr> rest = new ArrayList<>();
        final String basePrefix = baseAlias + ".";
        for (final Expr e : conjuncts)
        {
            final Set<String> used = new HashSet<>();
            Predicates.columns(e, used);
            boolean onlyBase = true;
            for (final String c : used)
            {
                onlyBase &= c.startsWith(basePrefix) && schema.columnIndex(c) < base.schema().columns().size();
            }
            if (onlyBase)
            {
                baseTerms.add(Predicates.rename(e, c -> c.substring(basePrefix.length())));
            }
            else
            {
                rest.add(e);
            }
        }
        final Expr baseWhere = baseTerms.isEmpty() ? null : baseTerms.size() == 1 ? baseTerms.get(0) : new Expr.And(baseTerms);
        // planned as a DISTINCT query would be: no ORDER BY, offset or limit of its own, every match read
        final Planner.Plan plan = Planner.plan(base, new Query(List.of(), query.table(), baseWhere, List.of(), -1, 0,
            List.of(), List.of(), null, true, null, List.of()), options, explaining);
        final Expr residual = rest.isEmpty() ? null : rest.size() == 1 ? rest.get(0) : new Expr.And(rest);
        return new Prepared(parts, schema, leftPositions, rightColumns, shape, plan, residual, wanted(query, schema, parts));
    }

    /**
     * @return per table of the join, the columns the query reads (the others are not decoded): those the select list,
     *         the predicate, ORDER BY, GROUP BY, the aggregates and the joins name; every column for {@code *}.
     */
    private static boolean[][] wanted(final Query query, final TableSchema schema, final List<Part> parts)
    {
        final Set<String> names = new HashSet<>();
        final boolean all = query.columns().isEmpty() || (query.columns().size() == 1 && query.columns().get(0).equals("*"));
        names.addAll(query.columns());
        if (query.where() != null)
        {
            Predicates.columns(query.where(), names);
        }
        query.orderBy().forEach(k -> names.add(k.column()));
        names.addAll(query.groupBy());
        for (final dev.aedb.model.Aggregate a : query.aggregates())
        {
            final String column = Grouping.column(a);
            if (column != null)
            {
                names.add(column);
            }
        }
        for (final Query.Join j : query.joins())
        {
            names.add(j.leftColumn());
            names.add(j.rightColumn());
        }
        final boolean[][] out = new boolean[parts.size()][];
        for (int p = 0; p < parts.size(); p++)
        {
            final Part part = parts.get(p);
            final int n = part.table.schema().columns().size();
            out[p] = new boolean[n];
            for (int c = 0; c < n; c++)
            {
                // "*" of a plain join returns every column; with groups "*" means the output columns, not these
                out[p][c] = (all && !query.grouped()) || names.contains(schema.columns().get(part.offset + c).name());
            }
        }
        return out;
    }

    private static void add(final List<Part> parts, final List<ColumnDef> columns, final Set<String> aliases, final TableState t,
        final String alias)
    {
        if (!aliases.add(alias))
        {
            throw new AedbException(ErrorCode.INVALID_QUERY, "alias " + alias + " names two tables of the query");
        }
        parts.add(new Part(t, alias, columns.size()));
        for (final ColumnDef c : t.schema().columns())
        {
            columns.add(ColumnDef.nullable(alias + "." + c.name(), c.type()));
        }
    }

    private static TableSchema combined(final TableSchema base, final List<ColumnDef> columns)
    {
        return new TableSchema(base.projectId(), base.scopeId(), base.tableName(), null, columns, List.of());
    }

    private static void flatten(final Expr e, final List<Expr> out)
    {
        if (e == null)
        {
            return;
        }
        if (e instanceof Expr.And a)
        {
            a.terms().forEach(t -> flatten(t, out));
        }
        else
        {
            out.add(e);
        }
    }

    /** Rows read and rows made, against the bound. */
    private static final class Counter
    {
        private final QueryOptions options;
        long examined;

        Counter(final QueryOptions options)
        {
            this.options = options;
        }

        void add(final long n)
        {
            examined += n;
            if (examined > options.maxScanRows() && !options.allowFullScan())
            {
                throw new AedbException(ErrorCode.SCAN_BOUND_EXCEEDED, "the join read or made more than maxScanRows="
                    + options.maxScanRows() + " rows; narrow the predicate, raise maxScanRows or set allowFullScan");
            }
        }
    }

    private static List<Value[]> join(final List<Value[]> left, final Query.JoinType type, final Part right, final int leftColumn,
        final int rightColumn, final long seq, final Counter counter, final boolean[] wanted)
    {
        final TableState t = right.table;
        final TableSchema schema = t.schema();
        final int[] pk = t.primaryKeyIndexes();
        IndexState index = null;
        for (final IndexState i : t.indexes().values())
        {
            if (i.columnIndexes()[0] == rightColumn)
            {
                index = i;
                break;
            }
        }
        Map<Value, List<Row>> hash = null;
        if (!(pk.length == 1 && pk[0] == rightColumn) && index == null)
        {
            hash = new HashMap<>();
            final KeySpace rows = t.rows();
            for (long node = rows.first(); node != 0; node = rows.next(node))
            {
                final long v = rows.liveVersionAt(node, seq);
                if (v == 0)
                {
                    continue;
                }
                counter.add(1);
                final Row r = decode(rows, v, schema, wanted);
                final Value key = r.get(rightColumn);
                if (!(key instanceof Value.Null))
                {
                    hash.computeIfAbsent(key, k -> new ArrayList<>()).add(r);
                }
            }
        }
        final List<Value[]> out = new ArrayList<>();
        final ByteWriter w = new ByteWriter(64);
        for (final Value[] l : left)
        {
            final Value key = l[leftColumn];
            List<Row> partners = List.of();
            if (!(key instanceof Value.Null))
            {
                if (hash != null)
                {
                    partners = hash.getOrDefault(key, List.of());
                }
                else if (index == null)
                {
                    w.reset();
                    KeyCodec.encodeIndexValue(key, w);
                    final long node = t.rows().find(w.buffer(), 0, w.position());
                    final long v = node == 0 ? 0 : t.rows().liveVersionAt(node, seq);
                    if (v != 0)
                    {
                        counter.add(1);
                        partners = List.of(decode(t.rows(), v, schema, wanted));
                    }
                }
                else
                {
                    partners = indexPartners(t, index, key, seq, w, counter, wanted);
                }
            }
            if (partners.isEmpty() && type == Query.JoinType.LEFT)
            {
                final Value[] v = l.clone();
                for (int i = 0; i < schema.columns().size(); i++)
                {
                    v[right.offset + i] = Value.NULL;
                }
                out.add(v);
                counter.add(1);
            }
            for (final Row r : partners)
            {
                final Value[] v = l.clone();
                for (int i = 0; i < r.size(); i++)
                {
                    v[right.offset + i] = r.get(i);
                }
                out.add(v);
                counter.add(1);
            }
        }
        return out;
    }

    private static List<Row> indexPartners(final TableState t, final IndexState index, final Value key, final long seq,
        final ByteWriter w, final Counter counter, final boolean[] wanted)
    {
        w.reset();
        KeyCodec.encodeIndexValue(key, w);
        final int prefix = w.position();
        final KeySpace entries = index.entries();
        final KeySpace rows = t.rows();
        final List<Row> out = new ArrayList<>();
        for (long node = entries.seek(w.buffer(), 0, prefix, true); node != 0; node = entries.next(node))
        {
            final UnsafeBuffer k = entries.keyBuffer(node);
            final int at = entries.keyOffset(node);
            final int length = entries.keyLength(node);
            if (!KeySpace.startsWith(k, at, length, w.buffer(), prefix))
            {
                break;
            }
            if (entries.liveVersionAt(node, seq) == 0)
            {
                continue;
            }
            final int pk = IndexKeys.primaryKeyOffset(index.columnIndexes().length, k, at, length);
            final long rowNode = rows.find(k, pk, at + length - pk);
            final long v = rowNode == 0 ? 0 : rows.liveVersionAt(rowNode, seq);
            if (v == 0)
            {
                throw new AedbException(ErrorCode.INTERNAL_ERROR, "index " + index.schema().name() + " of " + t.schema().tableName()
                    + " has an entry at seq " + seq + " for a row that is not live then");
            }
            counter.add(1);
            out.add(decode(rows, v, t.schema(), wanted));
        }
        return out;
    }

    private static Row decode(final KeySpace rows, final long version, final TableSchema schema, final boolean[] wanted)
    {
        return RowCodec.decode(rows.payloadBuffer(version), rows.payloadOffset(version), rows.payloadLength(version), schema.columns(),
            wanted);
    }
}
