package dev.aedb;

/**
 * Result of a KV point read.
 *
 * @param value       the value (a copy), or null when the key is absent at the snapshot.
 * @param version     the commit seq that last wrote it, 0 when absent.
 * @param snapshotSeq the snapshot the read saw.
 */
public record KvGetResult(byte[] value, long version, long snapshotSeq)
{
    /** @return whether the key exists at the snapshot. */
    public boolean found()
    {
        return value != null;
    }
}
