package dev.aedb.model;


import java.util.List;

/**
 * A single-table query: {@code Query.select("id", "name").from("users").where_(Expr.eq("id", Value.integer(1)))
 * .orderBy("name", Order.ASC).limit(20)}. Without {@link #orderBy} rows come in the order of the access path the
 * planner chose ({@code QueryPlan.accessPath}): primary-key order for key lookups, key ranges and full scans, index
 * order (the indexed columns, then the primary key) for index paths; deterministic for the same query and data.
 * With it, rows are sorted by its keys, NULLs first when ascending and last when descending, ties in primary-key
 * order. Immutable; each builder call returns a new query.
 *
 * @param columns columns to return; empty or {@code "*"} means all, in schema order. Not null, no null element.
 * @param table   the table; null until {@link #from} names it (running such a query is INVALID_QUERY).
 * @param where   the predicate, or null for none.
 * @param orderBy sort keys, most significant first; empty for none. Not null, at most 32 (checked when run).
 * @param limit   most rows to return, or -1 for no limit (other values below 1 are INVALID_QUERY when run).
 * @param offset  rows to skip before the first returned, >= 0; a positive offset needs a limit (checked when run).
 */
public record Query(List<String> columns, String table, Expr where, List<SortKey> orderBy, long limit, long offset)
{
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
        return new Query(java.util.Arrays.asList(columns), null, null, List.of(), -1, 0);
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
        return new Query(columns, tableName, where, orderBy, limit, offset);
    }

    /**
     * Named with a trailing underscore to mirror the seed API, since {@code where} reads fine but is a common keyword.
     *
     * @param predicate the filter; null = none.
     * @return this query with that predicate.
     */
    public Query where_(final Expr predicate)
    {
        return new Query(columns, table, predicate, orderBy, limit, offset);
    }

    /**
     * @param n most rows, > 0, or -1 for no limit (checked when the query runs).
     * @return this query with that limit.
     */
    public Query limit(final long n)
    {
        return new Query(columns, table, where, orderBy, n, offset);
    }

    /**
     * @param n rows to skip, >= 0 (checked when the query runs; a positive offset needs a limit).
     * @return this query with that offset.
     */
    public Query offset(final long n)
    {
        return new Query(columns, table, where, orderBy, limit, n);
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
        return new Query(columns, table, where, keys, limit, offset);
    }
}
