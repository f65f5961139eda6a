package dev.aedb.model;

/**
 * How a query runs: at which snapshot, and how much it may scan. Immutable.
 *
 * @param consistency   snapshot to read at (default AtLatest).
 * @param allowFullScan permit a query with neither predicate nor limit (default false: such a query is
 *                      INVALID_QUERY, so an accidental full scan of a large table is an error, not a stall).
 * @param maxScanRows   most rows a query may examine before it fails with INVALID_QUERY (default 100 000).
 */
public record QueryOptions(ConsistencyMode consistency, boolean allowFullScan, long maxScanRows)
{
    /** @return AtLatest, no full scan without predicate or limit, at most 100 000 rows examined. */
    public static QueryOptions defaults()
    {
        return new QueryOptions(ConsistencyMode.AT_LATEST, false, 100_000);
    }

    /** @return these options reading at {@code mode}. */
    public QueryOptions withConsistency(final ConsistencyMode mode)
    {
        return new QueryOptions(mode, allowFullScan, maxScanRows);
    }

    /** @return these options with full scans allowed or not. */
    public QueryOptions withAllowFullScan(final boolean allow)
    {
        return new QueryOptions(consistency, allow, maxScanRows);
    }
}
