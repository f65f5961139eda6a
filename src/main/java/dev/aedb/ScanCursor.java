package dev.aedb;

/**
 * Where a paged scan stopped. Passing it back resumes after {@code lastKey} at the same {@code snapshotSeq}, so
 * the pages of one scan form one consistent snapshot (SNAPSHOT_EXPIRED once that seq is reclaimed).
 *
 * @param snapshotSeq the snapshot of the scan.
 * @param lastKey     the last key returned (KV key, or encoded primary key for tables).
 */
public record ScanCursor(long snapshotSeq, byte[] lastKey)
{
}
