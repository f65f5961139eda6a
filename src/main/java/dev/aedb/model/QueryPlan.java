package dev.aedb.model;

import java.util.List;

/**
 * How a query runs (what {@code explain} returns, without running it): the planner's choice, deterministic for the
 * same query and catalog. The rules are docs/design.md, "Queries: the planner".
 *
 * @param table         the table, {@code project.scope.table}.
 * @param snapshotSeq   the snapshot the plan was made at.
 * @param accessPath    {@code PrimaryKeyLookup}, {@code PrimaryKeyRangeScan}, {@code IndexLookup}, {@code IndexScan}
 *                      (an index read in its order, for ORDER BY, with no bound) or {@code FullScanFilter}.
 * @param index         the index read, or null for the primary-key paths.
 * @param indexColumns  that index's columns (the primary key's for the primary-key paths).
 * @param bounds        the bounds the access path reads, rendered ({@code a = 1}, {@code b IN (1, 2)},
 *                      {@code c >= 3 AND c < 9}, {@code d LIKE PREFIX 'ab'}), in column order; empty = the whole path.
 * @param pushedDown    the conjuncts of the predicate the bounds enforce, rendered.
 * @param residual      the conjuncts checked on each row read, rendered.
 * @param sortKeys      ORDER BY keys that need a sort stage (empty when the access path's order gives the ORDER BY).
 * @param stages        the stages in order: {@code Scan}, {@code Filter}, {@code Sort}, {@code Offset}, {@code Limit},
 *                      {@code Project}.
 * @param estimatedRows the most rows the access path can read when that is known without reading (key or unique
 *                      lookups, or limit + offset when the limit stops the scan), else -1.
 * @param bounded       whether the work is bounded without reading the table: a lookup, or a limit that stops the
 *                      scan. An unbounded query examining more than {@code QueryOptions.maxScanRows} rows fails with
 *                      SCAN_BOUND_EXCEEDED.
 * @param trace         the planner's reasons, one line each.
 */
public record QueryPlan(String table, long snapshotSeq, String accessPath, String index, List<String> indexColumns,
    List<String> bounds, List<String> pushedDown, List<String> residual, List<String> sortKeys, List<String> stages,
    long estimatedRows, boolean bounded, List<String> trace)
{
    /** Copies the lists. */
    public QueryPlan
    {
        indexColumns = List.copyOf(indexColumns);
        bounds = List.copyOf(bounds);
        pushedDown = List.copyOf(pushedDown);
        residual = List.copyOf(residual);
        sortKeys = List.copyOf(sortKeys);
        stages = List.copyOf(stages);
        trace = List.copyOf(trace);
    }

    /**
     * @return the plan as lines of text, byte-identical for the same plan, without the snapshot seq (so the same
     *         query over the same catalog prints the same text whatever was committed since).
     */
    public String text()
    {
        final StringBuilder s = new StringBuilder();
        s.append("table: ").append(table).append('\n');
        s.append("access: ").append(accessPath);
        if (index != null)
        {
            s.append(" index=").append(index);
        }
        s.append(" columns=").append(String.join(", ", indexColumns)).append('\n');
        s.append("bounds: ").append(bounds.isEmpty() ? "-" : String.join(" AND ", bounds)).append('\n');
        s.append("pushed down: ").append(pushedDown.isEmpty() ? "-" : String.join(" AND ", pushedDown)).append('\n');
        s.append("residual: ").append(residual.isEmpty() ? "-" : String.join(" AND ", residual)).append('\n');
        s.append("sort: ").append(sortKeys.isEmpty() ? "-" : String.join(", ", sortKeys)).append('\n');
        s.append("stages: ").append(String.join(" -> ", stages)).append('\n');
        s.append("estimated rows: ").append(estimatedRows < 0 ? "unknown" : Long.toString(estimatedRows)).append('\n');
        s.append("bounded: ").append(bounded ? "yes" : "no").append('\n');
        for (final String line : trace)
        {
            s.append("trace: ").append(line).append('\n');
        }
        return s.toString();
    }
}
