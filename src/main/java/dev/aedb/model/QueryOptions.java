package dev.aedb.model;

/**
 * How a query runs: at which snapshot, and how much it may scan. Immutable.
 *
 * @param consistency   snapshot to read at (default AtLatest).
 * @param allowFullScan permit a query with neither predicate nor limit, and lift {@code maxScanRows} (default false:
 *                      such a query is INVALID_QUERY, so an accidental full scan of a large table is an error, not a
 *                      stall).
 * @param maxScanRows   most rows a query may examine (read at its snapshot, before the residual filter) before it
 *                      fails with SCAN_BOUND_EXCEEDED, unless {@code allowFullScan} (default 10 000; at least 1,
 *                      checked when the query runs).
 */
public record QueryOptions(ConsistencyMode consistency, boolean allowFullScan, long maxScanRows)
{
    /** The default {@code maxScanRows}. */
    public static final long DEFAULT_MAX_SCAN_ROWS = 10_000;

    /** @throws AedbException INVALID_ARGUMENT for a null consistency or a maxScanRows below 1. */
    public QueryOptions
    {
        if (consistency == null)
        {
            throw new AedbException(ErrorCode.INVALID_ARGUMENT, "consistency=null");
        }
        if (maxScanRows < 1)
        {
            throw new AedbException(ErrorCode.INVALID_ARGUMENT, "maxScanRows must be >= 1, maxScanRows=" + maxScanRows);
        }
    }

    /** @return AtLatest, no full scan without predicate or limit, at most {@value #DEFAULT_MAX_SCAN_ROWS} rows examined. */
    public static QueryOptions defaults()
    {
        return new QueryOptions(ConsistencyMode.AT_LATEST, false, DEFAULT_MAX_SCAN_ROWS);
    }

    /** @return these options with at most {@code rows} (>= 1) rows examined; INVALID_ARGUMENT below 1. */
    public QueryOptions withMaxScanRows(final long rows)
    {
        return new QueryOptions(consistency, allowFullScan, rows);
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
