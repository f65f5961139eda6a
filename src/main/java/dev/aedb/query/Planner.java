package dev.aedb.query;

import dev.aedb.catalog.CatalogState.IndexState;
import dev.aedb.catalog.CatalogState.TableState;
import dev.aedb.catalog.TableSchema;
import dev.aedb.model.AedbException;
import dev.aedb.model.ColumnType;
import dev.aedb.model.ErrorCode;
import dev.aedb.model.Expr;
import dev.aedb.model.Query;
import dev.aedb.model.QueryOptions;
import dev.aedb.model.QueryPlan;
import dev.aedb.model.Value;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * The deterministic planner (docs/design.md, "Queries: the planner"). From the predicate's top-level conjuncts it
 * derives, per column, a set of points (Eq, IN) and a range (comparisons, BETWEEN, the literal prefix of LIKE). An
 * access path over the primary key or an index reads the points of its leading columns and the range of the next
 * one; the planner takes, in this order: a primary-key lookup when every key column has points; a unique index whose
 * every column has points; else the path with the most leading point columns, then with a range (the primary key
 * before the indexes, indexes by name, on ties); else, for an ORDER BY, the primary key or the first index (by name)
 * whose order gives it; else a full scan. Conjuncts the bounds enforce are not checked again; the rest are the
 * residual filter.
 */
final class Planner
{
    static final int MAX_SORT_KEYS = 32;
    static final int MAX_POINT_COMBINATIONS = 10_000;

    enum Path
    {
        PrimaryKeyLookup, PrimaryKeyRangeScan, IndexLookup, IndexScan, FullScanFilter
    }

    /** What one column's conjuncts allow. */
    static final class ColumnBounds
    {
        /** Allowed values in order, distinct; null when no Eq or IN constrains the column. */
        List<Value> points;
        Value low;
        boolean lowInclusive;
        Value high;
        boolean highInclusive;
        /** A LIKE's literal prefix the value must start with, or null. */
        String likePrefix;
        /** No value can satisfy the conjuncts (a comparison with NULL, an empty IN, disjoint points). */
        boolean empty;
        /** The conjuncts the points enforce exactly (when the column is read by its points). */
        final List<Expr> pointExact = new ArrayList<>();
        /** The conjuncts the range enforces exactly (when the column is read by its range). */
        final List<Expr> rangeExact = new ArrayList<>();

        boolean hasRange()
        {
            return low != null || high != null || likePrefix != null;
        }
    }

    /** A planned query. */
    static final class Plan
    {
        Path path;
        IndexState index;
        /** Row positions of the read key's columns: the index's, or the primary key's. */
        int[] keyColumns;
        /** Leading key columns read by points. */
        int pointColumns;
        /** The points of each leading column. */
        final List<List<Value>> points = new ArrayList<>();
        /** The range on key column {@code pointColumns}, or null. */
        ColumnBounds range;
        boolean empty;
        final List<Expr> pushed = new ArrayList<>();
        final List<Expr> residual = new ArrayList<>();
        /** Sort keys still to apply (empty when the path's order gives the ORDER BY). */
        final List<Query.SortKey> sort = new ArrayList<>();
        int[] sortColumns;
        long limit;
        long offset;
        final List<String> trace;

        Plan(final boolean explaining)
        {
            trace = explaining ? new ArrayList<>() : null;
        }

        void trace(final String line)
        {
            if (trace != null)
            {
                trace.add(line);
            }
        }
    }

    private Planner()
    {
    }

    /** @param explaining whether to record the planner's reasons ({@link Plan#trace}); a query that runs skips them. */
    static Plan plan(final TableState table, final Query query, final QueryOptions options, final boolean explaining)
    {
        final TableSchema schema = table.schema();
        if (query.where() != null)
        {
            Predicates.check(schema, query.where(), 0);
        }
        // A grouped or DISTINCT query reads every matching row; its ORDER BY, offset and limit apply to its output.
        final boolean aggregating = QueryExecutor.aggregating(query);
        if (query.orderBy().size() > MAX_SORT_KEYS)
        {
            throw new AedbException(ErrorCode.INVALID_QUERY, "ORDER BY has " + query.orderBy().size() + " keys, at most " + MAX_SORT_KEYS);
        }
        final int[] sortColumns = new int[aggregating ? 0 : query.orderBy().size()];
        for (int i = 0; i < sortColumns.length; i++)
        {
            Predicates.column(schema, query.orderBy().get(i).column());
            sortColumns[i] = schema.columnIndex(query.orderBy().get(i).column());
        }
        if (query.limit() == 0 || query.limit() < -1)
        {
            throw new AedbException(ErrorCode.INVALID_QUERY, "limit must be > 0, limit=" + query.limit());
        }
        if (query.offset() < 0)
        {
            throw new AedbException(ErrorCode.INVALID_QUERY, "offset must be >= 0, offset=" + query.offset());
        }
        if (query.offset() > 0 && query.limit() < 0)
        {
            throw new AedbException(ErrorCode.INVALID_QUERY, "an offset needs a limit");
        }
        if (query.where() == null && query.limit() < 0 && !options.allowFullScan() && !aggregating)
        {
            throw new AedbException(ErrorCode.INVALID_QUERY, "a query without predicate or limit scans the whole table; "
                + "add a limit or set allowFullScan");
        }

        final List<Expr> conjuncts = new ArrayList<>();
        flatten(query.where(), conjuncts);
        final ColumnBounds[] bounds = new ColumnBounds[schema.columns().size()];
        for (final Expr e : conjuncts)
        {
            collect(schema, e, bounds);
        }

        final Plan plan = new Plan(explaining);
        plan.limit = query.limit() < 0 || aggregating ? Long.MAX_VALUE : query.limit();
        plan.offset = aggregating ? 0 : query.offset();
        plan.sortColumns = sortColumns;

        final int[] pk = table.primaryKeyIndexes();
        final int pkPoints = pointColumns(pk, bounds);
        Candidate best = null;
        if (pkPoints == pk.length)
        {
            best = new Candidate(Path.PrimaryKeyLookup, null, pk, pkPoints, null);
            plan.trace("every primary-key column has points: lookup");
        }
        if (best == null)
        {
            for (final IndexState index : table.indexes().values())
            {
                final int n = pointColumns(index.columnIndexes(), bounds);
                if (index.schema().unique() && n == index.columnIndexes().length)
                {
                    best = new Candidate(Path.IndexLookup, index, index.columnIndexes(), n, null);
                    if (explaining)
                    {
                        plan.trace("every column of unique index " + index.schema().name() + " has points: lookup");
                    }
                    break;
                }
            }
        }
        if (best == null)
        {
            best = candidate(Path.PrimaryKeyRangeScan, null, pk, bounds);
            for (final IndexState index : table.indexes().values())
            {
                final Candidate c = candidate(Path.IndexLookup, index, index.columnIndexes(), bounds);
                if (c != null && (best == null || c.score() > best.score()))
                {
                    best = c;
                }
            }
            if (best != null && explaining)
            {
                plan.trace((best.index == null ? "primary key" : "index " + best.index.schema().name()) + ": " + best.points
                    + " leading point column(s)" + (best.range != null ? " and a range" : "") + ", the most of any path");
            }
        }
        if (best == null && sortColumns.length > 0)
        {
            final Set<Integer> constant = constantColumns(bounds);
            if (ordered(query.orderBy(), sortColumns, pk, null, constant) && !aggregating)
            {
                best = new Candidate(Path.FullScanFilter, null, pk, 0, null);
                plan.trace("no bound on any path; the primary key's order gives the ORDER BY");
            }
            else
            {
                for (final IndexState index : table.indexes().values())
                {
                    if (ordered(query.orderBy(), sortColumns, index.columnIndexes(), pk, constant) && !aggregating)
                    {
                        best = new Candidate(Path.IndexScan, index, index.columnIndexes(), 0, null);
                        if (explaining)
                        {
                            plan.trace("no bound on any path; index " + index.schema().name() + "'s order gives the ORDER BY");
                        }
                        break;
                    }
                }
            }
        }
        if (best == null)
        {
            best = new Candidate(Path.FullScanFilter, null, pk, 0, null);
            plan.trace(conjuncts.isEmpty() ? "no predicate: full scan" : "no conjunct bounds a key or index column: full scan");
        }

        plan.path = best.path;
        plan.index = best.index;
        plan.keyColumns = best.columns;
        plan.pointColumns = best.points;
        plan.range = best.range;
        final Set<Expr> pushed = new HashSet<>();
        for (int i = 0; i < best.points; i++)
        {
            final ColumnBounds b = bounds[best.columns[i]];
            plan.points.add(b.points);
            plan.empty |= b.empty || b.points.isEmpty();
            pushed.addAll(b.pointExact);
        }
        if (best.range != null)
        {
            plan.empty |= best.range.empty;
            pushed.addAll(best.range.rangeExact);
        }
        if (plan.empty)
        {
            plan.trace("the conjuncts admit no value of a column the path reads: nothing is read");
        }
        for (final Expr e : conjuncts)
        {
            if (pushed.contains(e))
            {
                plan.pushed.add(e);
            }
            else
            {
                plan.residual.add(e);
            }
        }
        if (sortColumns.length > 0)
        {
            final Set<Integer> constant = constantColumns(bounds);
            if (ordered(query.orderBy(), sortColumns, best.columns, best.index == null ? null : pk, constant))
            {
                plan.trace("the access path's order gives the ORDER BY: no sort");
            }
            else
            {
                plan.sort.addAll(query.orderBy());
            }
        }
        return plan;
    }

    private static void flatten(final Expr e, final List<Expr> out)
    {
        if (e == null)
        {
            return;
        }
        if (e instanceof Expr.And a)
        {
            for (final Expr t : a.terms())
            {
                flatten(t, out);
            }
        }
        else if (!out.contains(e))
        {
            out.add(e);
        }
    }

    private static ColumnBounds at(final TableSchema schema, final ColumnBounds[] bounds, final String column)
    {
        final int i = schema.columnIndex(column);
        if (bounds[i] == null)
        {
            bounds[i] = new ColumnBounds();
        }
        return bounds[i];
    }

    private static void collect(final TableSchema schema, final Expr e, final ColumnBounds[] bounds)
    {
        if (!sameTypes(schema, e))
        {
            return; // an INTEGER literal for a FLOAT column (or the reverse): residual only, keys are encoded per type
        }
        if (e instanceof Expr.Eq x)
        {
            final ColumnBounds b = at(schema, bounds, x.column());
            points(b, x.value() instanceof Value.Null ? List.of() : List.of(x.value()));
            b.pointExact.add(e);
        }
        else if (e instanceof Expr.In x)
        {
            final ColumnBounds b = at(schema, bounds, x.column());
            final List<Value> values = new ArrayList<>();
            for (final Value v : x.values())
            {
                if (!(v instanceof Value.Null))
                {
                    values.add(v);
                }
            }
            points(b, values);
            b.pointExact.add(e);
        }
        else if (e instanceof Expr.Gt x)
        {
            low(at(schema, bounds, x.column()), x.value(), false, e);
        }
        else if (e instanceof Expr.Gte x)
        {
            low(at(schema, bounds, x.column()), x.value(), true, e);
        }
        else if (e instanceof Expr.Lt x)
        {
            high(at(schema, bounds, x.column()), x.value(), false, e);
        }
        else if (e instanceof Expr.Lte x)
        {
            high(at(schema, bounds, x.column()), x.value(), true, e);
        }
        else if (e instanceof Expr.Between x)
        {
            final ColumnBounds b = at(schema, bounds, x.column());
            low(b, x.low(), true, null);
            high(b, x.high(), true, null);
            b.rangeExact.add(e);
        }
        else if (e instanceof Expr.Like x)
        {
            final String prefix = Predicates.likePrefix(x.pattern());
            final ColumnBounds b = at(schema, bounds, x.column());
            if (prefix.equals(x.pattern()))
            {
                points(b, List.of(Value.text(prefix))); // no wildcard: equality
                b.pointExact.add(e);
            }
            else if (!prefix.isEmpty() && b.likePrefix == null)
            {
                b.likePrefix = prefix;
                if (x.pattern().equals(prefix + "%"))
                {
                    b.rangeExact.add(e);
                }
            }
        }
    }

    /** @return whether every non-NULL literal of a leaf has its column's own type. */
    private static boolean sameTypes(final TableSchema schema, final Expr e)
    {
        final List<Value> literals = new ArrayList<>();
        final String column;
        if (e instanceof Expr.Comparison c)
        {
            column = c.column();
            literals.add(c.value());
        }
        else if (e instanceof Expr.In in)
        {
            column = in.column();
            literals.addAll(in.values());
        }
        else if (e instanceof Expr.Between b)
        {
            column = b.column();
            literals.add(b.low());
            literals.add(b.high());
        }
        else
        {
            return true;
        }
        final ColumnType type = schema.columns().get(schema.columnIndex(column)).type();
        for (final Value v : literals)
        {
            if (!(v instanceof Value.Null) && v.type() != type)
            {
                return false;
            }
        }
        return true;
    }

    private static void points(final ColumnBounds b, final List<Value> values)
    {
        final List<Value> sorted = new ArrayList<>(values);
        sorted.sort(Predicates::compare);
        final List<Value> distinct = new ArrayList<>();
        for (final Value v : sorted)
        {
            if (distinct.isEmpty() || Predicates.compare(distinct.get(distinct.size() - 1), v) != 0)
            {
                distinct.add(v);
            }
        }
        if (b.points == null)
        {
            b.points = distinct;
        }
        else
        {
            final List<Value> both = new ArrayList<>();
            for (final Value v : b.points)
            {
                for (final Value w : distinct)
                {
                    if (Predicates.compare(v, w) == 0)
                    {
                        both.add(v);
                        break;
                    }
                }
            }
            b.points = both;
        }
        if (b.points.isEmpty())
        {
            b.empty = true;
        }
    }

    private static void low(final ColumnBounds b, final Value v, final boolean inclusive, final Expr source)
    {
        if (source != null)
        {
            b.rangeExact.add(source);
        }
        if (v instanceof Value.Null)
        {
            b.empty = true;
            return;
        }
        if (b.low == null)
        {
            b.low = v;
            b.lowInclusive = inclusive;
            return;
        }
        final int c = Predicates.compare(v, b.low);
        if (c > 0 || (c == 0 && !inclusive))
        {
            b.low = v;
            b.lowInclusive = inclusive;
        }
    }

    private static void high(final ColumnBounds b, final Value v, final boolean inclusive, final Expr source)
    {
        if (source != null)
        {
            b.rangeExact.add(source);
        }
        if (v instanceof Value.Null)
        {
            b.empty = true;
            return;
        }
        if (b.high == null)
        {
            b.high = v;
            b.highInclusive = inclusive;
            return;
        }
        final int c = Predicates.compare(v, b.high);
        if (c < 0 || (c == 0 && !inclusive))
        {
            b.high = v;
            b.highInclusive = inclusive;
        }
    }

    /** @return how many leading columns have points, with at most {@value #MAX_POINT_COMBINATIONS} combinations. */
    private static int pointColumns(final int[] columns, final ColumnBounds[] bounds)
    {
        long combinations = 1;
        int n = 0;
        while (n < columns.length)
        {
            final ColumnBounds b = bounds[columns[n]];
            if (b == null || b.points == null)
            {
                break;
            }
            combinations *= Math.max(1, b.points.size());
            if (combinations > MAX_POINT_COMBINATIONS)
            {
                break;
            }
            n++;
        }
        return n;
    }

    private static Candidate candidate(final Path path, final IndexState index, final int[] columns, final ColumnBounds[] bounds)
    {
        final int n = pointColumns(columns, bounds);
        ColumnBounds range = null;
        if (n < columns.length)
        {
            final ColumnBounds b = bounds[columns[n]];
            if (b != null && b.hasRange())
            {
                range = b;
            }
        }
        if (n == 0 && range == null)
        {
            return null;
        }
        return new Candidate(path, index, columns, n, range);
    }

    /** Columns every returned row has one value in: those whose conjuncts allow a single point. */
    private static Set<Integer> constantColumns(final ColumnBounds[] bounds)
    {
        final Set<Integer> out = new HashSet<>();
        for (int i = 0; i < bounds.length; i++)
        {
            if (bounds[i] != null && bounds[i].points != null && bounds[i].points.size() == 1)
            {
                out.add(i);
            }
        }
        return out;
    }

    /**
     * Whether reading {@code columns} in order (then {@code primaryKey}, for an index) yields the rows in ORDER BY order
     * with ties in primary-key order: the ORDER BY keys, without the constant columns, all ascending, are the leading
     * non-constant columns of the read order, and for an index they cover all its non-constant columns.
     */
    private static boolean ordered(final List<Query.SortKey> keys, final int[] sortColumns, final int[] columns,
        final int[] primaryKey, final Set<Integer> constant)
    {
        final List<Integer> wanted = new ArrayList<>();
        for (int i = 0; i < keys.size(); i++)
        {
            if (constant.contains(sortColumns[i]))
            {
                continue;
            }
            if (keys.get(i).order() != Query.Order.ASC)
            {
                return false;
            }
            wanted.add(sortColumns[i]);
        }
        final List<Integer> path = new ArrayList<>();
        for (final int c : columns)
        {
            if (!constant.contains(c))
            {
                path.add(c);
            }
        }
        final int indexColumns = path.size();
        if (primaryKey != null)
        {
            for (final int c : primaryKey)
            {
                if (!constant.contains(c) && !path.contains(c))
                {
                    path.add(c);
                }
            }
        }
        if (wanted.size() > path.size())
        {
            return false;
        }
        for (int i = 0; i < wanted.size(); i++)
        {
            if (!wanted.get(i).equals(path.get(i)))
            {
                return false;
            }
        }
        return primaryKey == null || wanted.size() >= indexColumns;
    }

    private record Candidate(Path path, IndexState index, int[] columns, int points, ColumnBounds range)
    {
        int score()
        {
            return points * 2 + (range != null ? 1 : 0);
        }
    }

    /** Appends the stages after the scan and its filter: Aggregate, Having, Sort (when {@code sorts}), Distinct, Offset, Limit, Project. */
    static void laterStages(final Query query, final boolean sorts, final List<String> stages)
    {
        if (query.grouped())
        {
            stages.add("Aggregate");
        }
        if (query.having() != null)
        {
            stages.add("Having");
        }
        if (sorts)
        {
            stages.add("Sort");
        }
        if (query.distinctRows())
        {
            stages.add("Distinct");
        }
        if (query.offset() > 0)
        {
            stages.add("Offset");
        }
        if (query.limit() > 0)
        {
            stages.add("Limit");
        }
        stages.add("Project");
    }

    /** @return the explain form of a plan. */
    static QueryPlan describe(final TableState table, final long seq, final Plan plan, final Query query)
    {
        final TableSchema schema = table.schema();
        final List<String> columns = new ArrayList<>();
        for (final int c : plan.keyColumns)
        {
            columns.add(schema.columns().get(c).name());
        }
        final List<String> bounds = new ArrayList<>();
        long lookups = 1;
        for (int i = 0; i < plan.pointColumns; i++)
        {
            final List<Value> p = plan.points.get(i);
            lookups *= p.size();
            final String name = columns.get(i);
            if (p.size() == 1)
            {
                bounds.add(name + " = " + Predicates.literal(p.get(0)));
            }
            else
            {
                final StringBuilder s = new StringBuilder(name).append(" IN (");
                for (int j = 0; j < p.size(); j++)
                {
                    s.append(j == 0 ? "" : ", ").append(Predicates.literal(p.get(j)));
                }
                bounds.add(s.append(')').toString());
            }
        }
        if (plan.range != null)
        {
            final String name = columns.get(plan.pointColumns);
            if (plan.range.low != null)
            {
                bounds.add(name + (plan.range.lowInclusive ? " >= " : " > ") + Predicates.literal(plan.range.low));
            }
            if (plan.range.high != null)
            {
                bounds.add(name + (plan.range.highInclusive ? " <= " : " < ") + Predicates.literal(plan.range.high));
            }
            if (plan.range.likePrefix != null)
            {
                bounds.add(name + " LIKE PREFIX " + Predicates.literal(Value.text(plan.range.likePrefix)));
            }
        }
        final List<String> pushed = new ArrayList<>();
        plan.pushed.forEach(e -> pushed.add(Predicates.render(e)));
        final List<String> residual = new ArrayList<>();
        plan.residual.forEach(e -> residual.add(Predicates.render(e)));
        final List<String> sort = new ArrayList<>();
        plan.sort.forEach(k -> sort.add(k.column() + " " + k.order()));
        final List<String> stages = new ArrayList<>();
        stages.add("Scan");
        if (!plan.residual.isEmpty())
        {
            stages.add("Filter");
        }
        final boolean sorts = !plan.sort.isEmpty() || (QueryExecutor.aggregating(query) && !query.orderBy().isEmpty());
        if (sorts && plan.sort.isEmpty())
        {
            query.orderBy().forEach(k -> sort.add(k.column() + " " + k.order()));
        }
        laterStages(query, sorts, stages);
        final boolean lookup = plan.path == Path.PrimaryKeyLookup
            || (plan.path == Path.IndexLookup && plan.index.schema().unique() && plan.pointColumns == plan.keyColumns.length);
        final boolean limitStops = plan.limit != Long.MAX_VALUE && plan.sort.isEmpty() && plan.residual.isEmpty();
        final long estimate = plan.empty ? 0 : lookup ? lookups : limitStops ? plan.offset + plan.limit : -1;
        final String name = schema.projectId() + "." + schema.scopeId() + "." + schema.tableName();
        return new QueryPlan(name, seq, plan.path.name(), plan.index == null ? null : plan.index.schema().name(), columns,
            bounds, pushed, residual, sort, stages, estimate, lookup || plan.empty
                || (plan.limit != Long.MAX_VALUE && plan.sort.isEmpty()), plan.trace == null ? List.of() : plan.trace);
    }
}
