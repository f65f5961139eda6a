package dev.aedb;

import java.util.List;

/**
 * One page of an ordered KV scan.
 *
 * @param entries     entries in ascending unsigned byte order of the key.
 * @param next        where to resume, or null when the scan is complete.
 * @param snapshotSeq the snapshot the scan saw.
 */
public record KvScanResult(List<KvEntry> entries, ScanCursor next, long snapshotSeq)
{
}
