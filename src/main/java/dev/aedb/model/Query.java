package dev.aedb.model;


import java.util.List;

/**
 * A single-table query: {@code Query.select("id", "name").from("users").where_(Expr.eq("id", Value.integer(1)))
 * .orderBy("name", Order.ASC).limit(20)}. Without {@link #orderBy} rows come in the order of the access path the
 * planner chose ({@code QueryPlan.accessPath}): primary-key order for key lookups, key ranges and full scans, index
 * order (the indexed columns, then the primary key) for index paths; deterministic for the same query and data.
 * With it, rows are sorted by its keys, NULLs first when ascending and last when descending, ties in primary-key
 * order.
 * <p>
 * With {@link #groupBy} or {@link #aggregate} the query returns one row per group (one row in all without
 * {@code groupBy}, also over no rows): the group columns followed by the aggregates' {@link Aggregate#outputName()}s,
 * or the {@code select}ed ones among those names; {@link #having} filters the groups and {@code orderBy} sorts them,
 * both by those names. {@link #distinct} keeps the first of equal projected rows. Such queries read every matching
 * row (their work is bounded by {@code QueryOptions.maxScanRows}). Immutable; each builder call returns a new query.
 *
 * @param columns columns to return; empty or {@code "*"} means all, in schema order. Not null, no null element.
 * @param table   the table; null until {@link #from} names it (running such a query is INVALID_QUERY).
 * @param where   the predicate, or null for none.
 * @param orderBy sort keys, most significant first; empty for none. Not null, at most 32 (checked when run).
 * @param limit   most rows to return, or -1 for no limit (other values below 1 are INVALID_QUERY when run).
 * @param offset  rows to skip before the first returned, >= 0; a positive offset needs a limit (checked when run).
 * @param groupBy    group columns; empty for none. Not null, at most 32 (checked when run).
 * @param aggregates aggregates; empty for none. Not null, at most 32 (checked when run).
 * @param having     the filter over groups, or null.
 * @param distinctRows whether equal projected rows are returned once ({@link #distinct()}).
 * @param alias      the name the base table's columns are qualified with in a join ({@code alias.column}); null =
 *                   the table's name.
 * @param joins      the joined tables in order; empty for none. Not null, at most 8 (checked when run). With joins,
 *                   every column named anywhere in the query is qualified ({@code alias.column}).
 */
public record Query(List<String> columns, String table, Expr where, List<SortKey> orderBy, long limit, long offset,
    List<String> groupBy, List<Aggregate> aggregates, Expr having, boolean distinctRows, String alias, List<Join> joins)
{
    /** How a joined table's rows pair with the rows before it. */
    public enum JoinType
    {
        /** Only pairs whose join columns are equal (a NULL equals nothing). */
        INNER,
        /** As INNER, plus each row without a partner once, the joined table's columns NULL. */
        LEFT
    }

    /**
     * One joined table: {@code type JOIN table AS alias ON leftColumn = rightColumn}.
     *
     * @param type        INNER or LEFT; not null.
     * @param table       the joined table (in the query's scope); not null.
     * @param alias       its alias, unique in the query; not null.
     * @param leftColumn  a qualified column of a table before it ({@code alias.column}); not null.
     * @param rightColumn a qualified column of this table; not null.
     */
    public record Join(JoinType type, String table, String alias, String leftColumn, String rightColumn)
    {
        /** @throws AedbException INVALID_ARGUMENT naming a null component. */
        public Join
        {
            final String missing = type == null ? "type" : table == null ? "table" : alias == null ? "alias"
                : leftColumn == null ? "leftColumn" : rightColumn == null ? "rightColumn" : null;
            if (missing != null)
            {
                throw new AedbException(ErrorCode.INVALID_ARGUMENT, missing + "=null");
            }
        }
    }

    /** Sort direction. */
    public enum Order
    {
        /** Smallest first, NULLs first. */
        ASC,
        /** Largest first, NULLs last. */
        DESC
    }

    /**
     * One ORDER BY key.
     *
     * @param column the column sorted on; not null.
     * @param order  the direction; not null.
     */
    public record SortKey(String column, Order order)
    {
        /** @throws AedbException INVALID_ARGUMENT naming a null component. */
        public SortKey
        {
            if (column == null || order == null)
            {
                throw new AedbException(ErrorCode.INVALID_ARGUMENT, (column == null ? "column" : "order") + "=null");
            }
        }
    }

    /** @throws AedbException INVALID_ARGUMENT naming a null {@code columns}, column, {@code orderBy} or sort key. */
    public Query
    {
        if (columns == null)
        {
            throw new AedbException(ErrorCode.INVALID_ARGUMENT, "columns=null");
        }
        int i = 0;
        for (final String c : columns)
        {
            if (c == null)
            {
                throw new AedbException(ErrorCode.INVALID_ARGUMENT, "columns[" + i + "]=null");
            }
            i++;
        }
        columns = List.copyOf(columns);
        if (orderBy == null)
        {
            throw new AedbException(ErrorCode.INVALID_ARGUMENT, "orderBy=null");
        }
        i = 0;
        for (final SortKey k : orderBy)
        {
            if (k == null)
            {
                throw new AedbException(ErrorCode.INVALID_ARGUMENT, "orderBy[" + i + "]=null");
            }
            i++;
        }
        orderBy = List.copyOf(orderBy);
        groupBy = copy(groupBy, "groupBy");
        aggregates = copy(aggregates, "aggregates");
        joins = copy(joins, "joins");
    }

    private static <T> List<T> copy(final List<T> list, final String name)
    {
        if (list == null)
        {
            throw new AedbException(ErrorCode.INVALID_ARGUMENT, name + "=null");
        }
        int i = 0;
        for (final T t : list)
        {
            if (t == null)
            {
                throw new AedbException(ErrorCode.INVALID_ARGUMENT, name + "[" + i + "]=null");
            }
            i++;
        }
        return List.copyOf(list);
    }

    /** @return whether the query returns groups (it has group columns or aggregates). */
    public boolean grouped()
    {
        return !groupBy.isEmpty() || !aggregates.isEmpty();
    }

    /**
     * @param columns columns to return; none or {@code "*"} means all.
     * @return a query without table, predicate or limit.
     * @throws AedbException INVALID_ARGUMENT naming a null array or column.
     */
    public static Query select(final String... columns)
    {
        if (columns == null)
        {
            throw new AedbException(ErrorCode.INVALID_ARGUMENT, "columns=null");
        }
        return new Query(java.util.Arrays.asList(columns), null, null, List.of(), -1, 0, List.of(), List.of(), null, false, null, List.of());
    }

    /**
     * @param tableName the table; not null.
     * @return this query on that table.
     * @throws AedbException INVALID_ARGUMENT for null.
     */
    public Query from(final String tableName)
    {
        if (tableName == null)
        {
            throw new AedbException(ErrorCode.INVALID_ARGUMENT, "tableName=null");
        }
        return new Query(columns, tableName, where, orderBy, limit, offset, groupBy, aggregates, having, distinctRows, alias, joins);
    }

    /**
     * Named with a trailing underscore to mirror the seed API, since {@code where} reads fine but is a common keyword.
     *
     * @param predicate the filter; null = none.
     * @return this query with that predicate.
     */
    public Query where_(final Expr predicate)
    {
        return new Query(columns, table, predicate, orderBy, limit, offset, groupBy, aggregates, having, distinctRows, alias, joins);
    }

    /**
     * @param n most rows, > 0, or -1 for no limit (checked when the query runs).
     * @return this query with that limit.
     */
    public Query limit(final long n)
    {
        return new Query(columns, table, where, orderBy, n, offset, groupBy, aggregates, having, distinctRows, alias, joins);
    }

    /**
     * @param n rows to skip, >= 0 (checked when the query runs; a positive offset needs a limit).
     * @return this query with that offset.
     */
    public Query offset(final long n)
    {
        return new Query(columns, table, where, orderBy, limit, n, groupBy, aggregates, having, distinctRows, alias, joins);
    }

    /**
     * Adds a sort key after the ones already given.
     *
     * @param column the column; not null.
     * @param order  the direction; not null.
     * @return this query with the key appended.
     * @throws AedbException INVALID_ARGUMENT naming a null argument.
     */
    public Query orderBy(final String column, final Order order)
    {
        final java.util.ArrayList<SortKey> keys = new java.util.ArrayList<>(orderBy);
        keys.add(new SortKey(column, order));
        return new Query(columns, table, where, keys, limit, offset, groupBy, aggregates, having, distinctRows, alias, joins);
    }

    /**
     * @param groupColumns the group columns (replacing any given before); not null, no null element.
     * @return this query grouped by them.
     * @throws AedbException INVALID_ARGUMENT naming a null array or column.
     */
    public Query groupBy(final String... groupColumns)
    {
        if (groupColumns == null)
        {
            throw new AedbException(ErrorCode.INVALID_ARGUMENT, "groupColumns=null");
        }
        return new Query(columns, table, where, orderBy, limit, offset, java.util.Arrays.asList(groupColumns), aggregates, having,
            distinctRows, alias, joins);
    }

    /**
     * Adds an aggregate after the ones already given.
     *
     * @param aggregate not null.
     * @return this query with the aggregate appended.
     * @throws AedbException INVALID_ARGUMENT for null.
     */
    public Query aggregate(final Aggregate aggregate)
    {
        if (aggregate == null)
        {
            throw new AedbException(ErrorCode.INVALID_ARGUMENT, "aggregate=null");
        }
        final java.util.ArrayList<Aggregate> next = new java.util.ArrayList<>(aggregates);
        next.add(aggregate);
        return new Query(columns, table, where, orderBy, limit, offset, groupBy, next, having, distinctRows, alias, joins);
    }

    /**
     * @param predicate the filter over the groups' output columns, or null for none (needs groupBy or an aggregate).
     * @return this query with that filter.
     */
    public Query having(final Expr predicate)
    {
        return new Query(columns, table, where, orderBy, limit, offset, groupBy, aggregates, predicate, distinctRows, alias, joins);
    }

    /** @return this query returning each distinct projected row once. */
    public Query distinct()
    {
        return new Query(columns, table, where, orderBy, limit, offset, groupBy, aggregates, having, true, alias, joins);
    }

    /**
     * @param name the base table's alias in a join (its columns are then {@code name.column}).
     * @return this query with that alias.
     * @throws AedbException INVALID_ARGUMENT for null.
     */
    public Query alias(final String name)
    {
        if (name == null)
        {
            throw new AedbException(ErrorCode.INVALID_ARGUMENT, "name=null");
        }
        return new Query(columns, table, where, orderBy, limit, offset, groupBy, aggregates, having, distinctRows, name, joins);
    }

    /**
     * Adds {@code INNER JOIN table AS alias ON leftColumn = rightColumn}; see {@link Join}.
     *
     * @return this query with the join appended.
     * @throws AedbException INVALID_ARGUMENT naming a null argument.
     */
    public Query innerJoin(final String table, final String alias, final String leftColumn, final String rightColumn)
    {
        return join(new Join(JoinType.INNER, table, alias, leftColumn, rightColumn));
    }

    /**
     * Adds {@code LEFT JOIN table AS alias ON leftColumn = rightColumn}; see {@link Join}.
     *
     * @return this query with the join appended.
     * @throws AedbException INVALID_ARGUMENT naming a null argument.
     */
    public Query leftJoin(final String table, final String alias, final String leftColumn, final String rightColumn)
    {
        return join(new Join(JoinType.LEFT, table, alias, leftColumn, rightColumn));
    }

    private Query join(final Join join)
    {
        final java.util.ArrayList<Join> next = new java.util.ArrayList<>(joins);
        next.add(join);
        return new Query(columns, table, where, orderBy, limit, offset, groupBy, aggregates, having, distinctRows, alias, next);
    }
}
