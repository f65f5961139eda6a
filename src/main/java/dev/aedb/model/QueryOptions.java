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
 * @param cursor        a {@link QueryResult#cursor()} to continue from, or null for the first page. The query must be
 *                      the one that made it (any limit); it is read at the cursor's snapshot, whatever
 *                      {@code consistency} says, so pages are consistent with each other (SNAPSHOT_EXPIRED once that
 *                      snapshot is no longer readable). A tampered cursor, or one from another instance or from before
 *                      a restart, is INVALID_CURSOR.
 */
public record QueryOptions(ConsistencyMode consistency, boolean allowFullScan, long maxScanRows, String cursor)
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
        return new QueryOptions(ConsistencyMode.AT_LATEST, false, DEFAULT_MAX_SCAN_ROWS, null);
    }

    /** @return these options with at most {@code rows} (>= 1) rows examined; INVALID_ARGUMENT below 1. */
    public QueryOptions withMaxScanRows(final long rows)
    {
        return new QueryOptions(consistency, allowFullScan, rows, cursor);
    }

    /** @return these options reading at {@code mode}. */
    public QueryOptions withConsistency(final ConsistencyMode mode)
    {
        return new QueryOptions(mode, allowFullScan, maxScanRows, cursor);
    }

    /** @return these options with full scans allowed or not. */
    public QueryOptions withAllowFullScan(final boolean allow)
    {
        return new QueryOptions(consistency, allow, maxScanRows, cursor);
    }

    /** @return these options continuing from {@code next} (a {@link QueryResult#cursor()}), or from the start for null. */
    public QueryOptions withCursor(final String next)
    {
        return new QueryOptions(consistency, allowFullScan, maxScanRows, next);
    }
}
