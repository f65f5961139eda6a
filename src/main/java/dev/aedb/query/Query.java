package dev.aedb.query;

import java.util.List;

/**
 * A single-table query: {@code Query.select("id", "name").from("users").where_(Expr.eq("id", Value.integer(1)))}.
 * Rows come back in primary-key order. Immutable; each builder call returns a new query.
 *
 * @param columns columns to return; empty or {@code "*"} means all, in schema order.
 * @param table   the table.
 * @param where   the predicate, or null.
 * @param limit   most rows to return, or -1 for no limit.
 */
public record Query(List<String> columns, String table, Expr where, long limit)
{
    public Query
    {
        columns = List.copyOf(columns);
    }

    public static Query select(final String... columns)
    {
        return new Query(List.of(columns), null, null, -1);
    }

    public Query from(final String tableName)
    {
        return new Query(columns, tableName, where, limit);
    }

    /** Named with a trailing underscore to mirror the seed API, since {@code where} reads fine but is a common keyword. */
    public Query where_(final Expr predicate)
    {
        return new Query(columns, table, predicate, limit);
    }

    public Query limit(final long n)
    {
        return new Query(columns, table, where, n);
    }
}
