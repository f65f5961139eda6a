package dev.aedb.query;

import dev.aedb.catalog.TableSchema;
import dev.aedb.model.AedbException;
import dev.aedb.model.Aggregate;
import dev.aedb.model.ColumnDef;
import dev.aedb.model.ColumnType;
import dev.aedb.model.ErrorCode;
import dev.aedb.model.Query;
import dev.aedb.model.Row;
import dev.aedb.model.Value;

import java.math.BigInteger;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * The stages after the scan of a grouped or DISTINCT query: GROUP BY with the aggregates, HAVING, ORDER BY over the
 * output columns, projection, DISTINCT, OFFSET and LIMIT, in that order (SQL's). The output columns are the group
 * columns followed by the aggregates (grouped), or the selected columns (DISTINCT only).
 */
final class Grouping
{
    static final int MAX_KEYS = 32;

    /** The shape of the output, worked out (and checked) before any row is read. */
    static final class Shape
    {
        /** The output columns, as a schema that HAVING and ORDER BY are checked and evaluated against. */
        TableSchema output;
        /** Row positions of the group columns in the table. */
        int[] groupColumns;
        /** Row positions (in the table) of each aggregate's column, -1 for COUNT(*). */
        int[] aggregateColumns;
        /** Output positions of the selected columns. */
        int[] selected;
        /** Output positions of the ORDER BY keys. */
        int[] sortColumns;
    }

    private Grouping()
    {
    }

    static Shape shape(final TableSchema table, final Query query)
    {
        if (query.having() != null && !query.grouped())
        {
            throw new AedbException(ErrorCode.INVALID_QUERY, "HAVING needs groupBy or an aggregate");
        }
        if (query.groupBy().size() > MAX_KEYS || query.aggregates().size() > MAX_KEYS)
        {
            throw new AedbException(ErrorCode.INVALID_QUERY, "at most " + MAX_KEYS + " group columns and " + MAX_KEYS + " aggregates");
        }
        final Shape shape = new Shape();
        final List<ColumnDef> out = new ArrayList<>();
        final Set<String> names = new HashSet<>();
        if (query.grouped())
        {
            shape.groupColumns = new int[query.groupBy().size()];
            for (int i = 0; i < shape.groupColumns.length; i++)
            {
                final ColumnDef c = Predicates.column(table, query.groupBy().get(i));
                shape.groupColumns[i] = table.columnIndex(c.name());
                add(out, names, ColumnDef.nullable(c.name(), c.type()));
            }
            shape.aggregateColumns = new int[query.aggregates().size()];
            for (int i = 0; i < shape.aggregateColumns.length; i++)
            {
                final Aggregate a = query.aggregates().get(i);
                final ColumnType type;
                if (a instanceof Aggregate.Count)
                {
                    shape.aggregateColumns[i] = -1;
                    type = ColumnType.INTEGER;
                }
                else
                {
                    final ColumnDef c = Predicates.column(table, column(a));
                    shape.aggregateColumns[i] = table.columnIndex(c.name());
                    final boolean numeric = c.type() == ColumnType.INTEGER || c.type() == ColumnType.FLOAT;
                    if ((a instanceof Aggregate.Sum || a instanceof Aggregate.Avg) && !numeric)
                    {
                        throw new AedbException(ErrorCode.TYPE_MISMATCH, a.outputName() + ": SUM and AVG need an INTEGER or FLOAT column; "
                            + c.name() + " is " + c.type());
                    }
                    type = a instanceof Aggregate.Avg ? ColumnType.FLOAT : c.type();
                }
                add(out, names, ColumnDef.nullable(a.outputName(), type));
            }
        }
        else
        {
            // DISTINCT: the selected columns; a plain join: every joined column (ORDER BY may name any)
            final boolean all = query.columns().isEmpty() || (query.columns().size() == 1 && query.columns().get(0).equals("*"));
            final List<String> selected = all || !query.distinctRows() ? columnNames(table) : query.columns();
            for (final String s : selected)
            {
                final ColumnDef c = Predicates.column(table, s);
                add(out, names, ColumnDef.nullable(c.name(), c.type()));
            }
        }
        shape.output = new TableSchema(table.projectId(), table.scopeId(), table.tableName(), null, out, List.of());
        if (query.having() != null)
        {
            Predicates.check(shape.output, query.having(), 0);
        }
        final List<String> selected = query.columns().isEmpty() || (query.columns().size() == 1 && query.columns().get(0).equals("*"))
            ? columnNames(shape.output) : query.columns();
        shape.selected = new int[selected.size()];
        for (int i = 0; i < shape.selected.length; i++)
        {
            shape.selected[i] = shape.output.columnIndex(Predicates.column(shape.output, selected.get(i)).name());
        }
        shape.sortColumns = new int[query.orderBy().size()];
        for (int i = 0; i < shape.sortColumns.length; i++)
        {
            final String name = query.orderBy().get(i).column();
            shape.sortColumns[i] = shape.output.columnIndex(Predicates.column(shape.output, name).name());
            if (query.distinctRows() && !contains(shape.selected, shape.sortColumns[i]))
            {
                throw new AedbException(ErrorCode.INVALID_QUERY, "with DISTINCT, ORDER BY " + name + " must be a selected column");
            }
        }
        return shape;
    }

    private static boolean contains(final int[] a, final int v)
    {
        for (final int x : a)
        {
            if (x == v)
            {
                return true;
            }
        }
        return false;
    }

    private static void add(final List<ColumnDef> out, final Set<String> names, final ColumnDef c)
    {
        if (!names.add(c.name()))
        {
            throw new AedbException(ErrorCode.INVALID_QUERY, "output column " + c.name() + " appears twice");
        }
        out.add(c);
    }

    private static List<String> columnNames(final TableSchema schema)
    {
        final List<String> out = new ArrayList<>();
        for (final ColumnDef c : schema.columns())
        {
            out.add(c.name());
        }
        return out;
    }

    /** @return the column an aggregate reads, or null for COUNT(*). */
    static String column(final Aggregate a)
    {
        if (a instanceof Aggregate.Count)
        {
            return null;
        }
        if (a instanceof Aggregate.Sum s)
        {
            return s.column();
        }
        if (a instanceof Aggregate.Min m)
        {
            return m.column();
        }
        if (a instanceof Aggregate.Max m)
        {
            return m.column();
        }
        return ((Aggregate.Avg)a).column();
    }

    /** The groups of a grouped query, fed one row at a time (the rows themselves are not kept). */
    static final class Groups
    {
        private final Query query;
        private final Shape shape;
        private final Map<List<Value>, Accumulator[]> groups = new LinkedHashMap<>();

        Groups(final Query query, final Shape shape)
        {
            this.query = query;
            this.shape = shape;
        }

        void add(final Row r)
        {
            final Value[] key = new Value[shape.groupColumns.length];
            for (int i = 0; i < key.length; i++)
            {
                key[i] = r.get(shape.groupColumns[i]);
            }
            Accumulator[] acc = groups.get(java.util.Arrays.asList(key));
            if (acc == null)
            {
                acc = accumulators(query);
                groups.put(List.of(key), acc);
            }
            for (int i = 0; i < acc.length; i++)
            {
                acc[i].add(shape.aggregateColumns[i] < 0 ? null : r.get(shape.aggregateColumns[i]));
            }
        }
    }

    /** @return the table columns a grouped or DISTINCT query reads from each row (its predicate's, groups', aggregates'). */
    static boolean[] wanted(final TableSchema table, final Query query, final Shape shape)
    {
        final boolean[] wanted = new boolean[table.columns().size()];
        if (query.where() != null)
        {
            final java.util.Set<String> used = new HashSet<>();
            Predicates.columns(query.where(), used);
            used.forEach(c -> wanted[table.columnIndex(c)] = true);
        }
        if (query.grouped())
        {
            for (final int c : shape.groupColumns)
            {
                wanted[c] = true;
            }
            for (final int c : shape.aggregateColumns)
            {
                if (c >= 0)
                {
                    wanted[c] = true;
                }
            }
        }
        else
        {
            for (final ColumnDef c : shape.output.columns())
            {
                wanted[table.columnIndex(c.name())] = true;
            }
        }
        return wanted;
    }

    /** @return the output rows (projected), from the rows that passed the scan's filter, in their scan order. */
    static List<Row> finish(final TableSchema table, final Query query, final Shape shape, final List<Row> rows)
    {
        final Groups groups = query.grouped() ? new Groups(query, shape) : null;
        if (groups != null)
        {
            rows.forEach(groups::add);
        }
        return finish(table, query, shape, rows, groups);
    }

    /** As {@link #finish(TableSchema, Query, Shape, List)}, for a grouped query whose rows were fed to {@code groups}. */
    static List<Row> finish(final TableSchema table, final Query query, final Shape shape, final List<Row> rows, final Groups fed)
    {
        List<Row> out;
        if (query.grouped())
        {
            out = groups(query, shape, fed.groups);
            if (query.having() != null)
            {
                final List<Row> kept = new ArrayList<>();
                for (final Row r : out)
                {
                    if (Predicates.eval(shape.output, query.having(), r) == Predicates.TRUE)
                    {
                        kept.add(r);
                    }
                }
                out = kept;
            }
        }
        else
        {
            final int[] positions = new int[shape.output.columns().size()];
            boolean identity = positions.length == table.columns().size();
            for (int i = 0; i < positions.length; i++)
            {
                positions[i] = table.columnIndex(shape.output.columns().get(i).name());
                identity &= positions[i] == i;
            }
            if (identity)
            {
                out = rows instanceof ArrayList<Row> ? rows : new ArrayList<>(rows); // every column in order: the rows as they are
            }
            else
            {
                out = new ArrayList<>(rows.size());
                for (final Row r : rows)
                {
                    out.add(project(r, positions));
                }
            }
        }
        if (shape.sortColumns.length > 0)
        {
            final int[] columns = shape.sortColumns;
            final List<Query.SortKey> keys = query.orderBy();
            out.sort((a, b) ->
            {
                for (int i = 0; i < columns.length; i++)
                {
                    final int c = Predicates.compare(a.get(columns[i]), b.get(columns[i]));
                    if (c != 0)
                    {
                        return keys.get(i).order() == Query.Order.DESC ? -c : c;
                    }
                }
                return 0;
            });
        }
        final long from = query.offset();
        final long to = query.limit() < 0 ? Long.MAX_VALUE : from + query.limit();
        final List<Row> page = new ArrayList<>();
        final Set<List<Value>> seen = query.distinctRows() ? new HashSet<>() : null;
        long kept = 0;
        for (int i = 0; i < out.size() && kept < to; i++)
        {
            final Row p = project(out.get(i), shape.selected);
            if (seen != null && !seen.add(p.values()))
            {
                continue;
            }
            if (kept++ >= from)
            {
                page.add(p);
            }
        }
        return page;
    }

    private static Row project(final Row row, final int[] positions)
    {
        final Value[] v = new Value[positions.length];
        for (int i = 0; i < v.length; i++)
        {
            v[i] = row.get(positions[i]);
        }
        return Row.of(v);
    }

    /** The groups in group-key order (NULL first), each a row of group values then aggregate values. */
    private static List<Row> groups(final Query query, final Shape shape, final Map<List<Value>, Accumulator[]> groups)
    {
        if (groups.isEmpty() && shape.groupColumns.length == 0)
        {
            groups.put(List.of(), accumulators(query)); // aggregates over no rows: one row
        }
        final TreeMap<List<Value>, Accumulator[]> ordered = new TreeMap<>((a, b) ->
        {
            for (int i = 0; i < a.size(); i++)
            {
                final int c = Predicates.compare(a.get(i), b.get(i));
                if (c != 0)
                {
                    return c;
                }
            }
            return 0;
        });
        ordered.putAll(groups);
        final List<Row> out = new ArrayList<>(ordered.size());
        for (final Map.Entry<List<Value>, Accumulator[]> e : ordered.entrySet())
        {
            final Value[] v = new Value[e.getKey().size() + e.getValue().length];
            for (int i = 0; i < e.getKey().size(); i++)
            {
                v[i] = e.getKey().get(i);
            }
            for (int i = 0; i < e.getValue().length; i++)
            {
                v[e.getKey().size() + i] = e.getValue()[i].result();
            }
            out.add(Row.of(v));
        }
        return out;
    }

    private static Accumulator[] accumulators(final Query query)
    {
        final Accumulator[] out = new Accumulator[query.aggregates().size()];
        for (int i = 0; i < out.length; i++)
        {
            out[i] = new Accumulator(query.aggregates().get(i));
        }
        return out;
    }

    /** One aggregate's running state over one group. */
    private static final class Accumulator
    {
        private final Aggregate aggregate;
        private long count;
        private long longSum;
        private BigInteger bigSum;
        private double doubleSum;
        private boolean floats;
        private Value best;

        Accumulator(final Aggregate aggregate)
        {
            this.aggregate = aggregate;
        }

        void add(final Value v)
        {
            if (aggregate instanceof Aggregate.Count)
            {
                count++;
                return;
            }
            if (v instanceof Value.Null)
            {
                return;
            }
            count++;
            if (aggregate instanceof Aggregate.Min || aggregate instanceof Aggregate.Max)
            {
                final int c = best == null ? 0 : Predicates.compare(v, best);
                if (best == null || (aggregate instanceof Aggregate.Min ? c < 0 : c > 0))
                {
                    best = v;
                }
                return;
            }
            if (v instanceof Value.Float64 f)
            {
                floats = true;
                doubleSum += f.value();
                return;
            }
            final long x = ((Value.Int)v).value();
            if (bigSum != null)
            {
                bigSum = bigSum.add(BigInteger.valueOf(x));
                return;
            }
            final long r = longSum + x;
            if (((longSum ^ r) & (x ^ r)) < 0)
            {
                bigSum = BigInteger.valueOf(longSum).add(BigInteger.valueOf(x));
                return;
            }
            longSum = r;
        }

        Value result()
        {
            if (aggregate instanceof Aggregate.Count)
            {
                return Value.integer(count);
            }
            if (count == 0)
            {
                return Value.NULL;
            }
            if (aggregate instanceof Aggregate.Min || aggregate instanceof Aggregate.Max)
            {
                return best;
            }
            if (aggregate instanceof Aggregate.Avg)
            {
                final double sum = floats ? doubleSum : bigSum != null ? bigSum.doubleValue() : (double)longSum;
                return Value.float64(sum / count);
            }
            if (floats)
            {
                return Value.float64(doubleSum);
            }
            if (bigSum != null)
            {
                if (bigSum.bitLength() > 63)
                {
                    throw new AedbException(ErrorCode.INVALID_QUERY, aggregate.outputName() + " overflows a 64-bit INTEGER");
                }
                return Value.integer(bigSum.longValueExact());
            }
            return Value.integer(longSum);
        }
    }
}
