package dev.aedb;

import dev.aedb.model.Row;

import java.util.List;

/**
 * One page of a table scan in primary-key order.
 *
 * @param rows        the rows.
 * @param next        where to resume, or null when the scan is complete.
 * @param snapshotSeq the snapshot the scan saw.
 */
public record TableScanResult(List<Row> rows, ScanCursor next, long snapshotSeq)
{
}
