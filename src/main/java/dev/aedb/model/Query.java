package dev.aedb.model;


import java.util.List;

/**
 * A single-table query: {@code Query.select("id", "name").from("users").where_(Expr.eq("id", Value.integer(1)))}.
 * Rows come back in primary-key order. Immutable; each builder call returns a new query.
 *
 * @param columns columns to return; empty or {@code "*"} means all, in schema order. Not null, no null element.
 * @param table   the table; null until {@link #from} names it (running such a query is INVALID_QUERY).
 * @param where   the predicate, or null for none.
 * @param limit   most rows to return, or -1 for no limit (other values below 1 are INVALID_QUERY when run).
 */
public record Query(List<String> columns, String table, Expr where, long limit)
{
    /** @throws AedbException INVALID_ARGUMENT naming a null {@code columns} or column. */
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
        return new Query(java.util.Arrays.asList(columns), null, null, -1);
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
        return new Query(columns, tableName, where, limit);
    }

    /**
     * Named with a trailing underscore to mirror the seed API, since {@code where} reads fine but is a common keyword.
     *
     * @param predicate the filter; null = none.
     * @return this query with that predicate.
     */
    public Query where_(final Expr predicate)
    {
        return new Query(columns, table, predicate, limit);
    }

    /**
     * @param n most rows, > 0, or -1 for no limit (checked when the query runs).
     * @return this query with that limit.
     */
    public Query limit(final long n)
    {
        return new Query(columns, table, where, n);
    }
}
