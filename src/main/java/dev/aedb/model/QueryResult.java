package dev.aedb.model;


import java.util.List;

/**
 * @param columns      names of the returned columns, in order.
 * @param rows         the rows, each holding exactly those columns.
 * @param snapshotSeq  the snapshot the query read.
 * @param rowsExamined rows the executor looked at.
 * @param plan         the access path ({@link QueryPlan#accessPath()}): {@code PrimaryKeyLookup},
 *                     {@code PrimaryKeyRangeScan}, {@code IndexLookup}, {@code IndexScan} or {@code FullScanFilter}.
 * @param cursor       when the limit left rows out: the token that continues after the last row returned
 *                     ({@link QueryOptions#withCursor}), at the same snapshot; null when no row follows (or the query
 *                     has no limit, an offset, groups or DISTINCT).
 */
public record QueryResult(List<String> columns, List<Row> rows, long snapshotSeq, long rowsExamined, String plan, String cursor)
{
}
