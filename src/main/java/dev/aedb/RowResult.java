package dev.aedb;

import dev.aedb.model.Row;

/**
 * Result of a primary-key read.
 *
 * @param row         the row, or null when absent at the snapshot.
 * @param version     the commit seq that last wrote it, 0 when absent.
 * @param snapshotSeq the snapshot the read saw.
 */
public record RowResult(Row row, long version, long snapshotSeq)
{
    /** @return whether the row exists at the snapshot. */
    public boolean found()
    {
        return row != null;
    }
}
