package dev.aedb.model;

/**
 * When a commit is acknowledged, and so what survives which failure.
 */
public enum Durability
{
    /** Ack after the commit's WAL frame is msync'ed (group commit amortises the sync). Survives power loss. */
    FULL,
    /** Ack after a sync that runs at most every {@code batchIntervalMicros} or {@code batchMaxBytes}. Survives power loss. */
    BATCH,
    /** Ack after the append to the mapped WAL: survives a process crash, not a power loss, until {@code sync()}. */
    OS_BUFFERED
}
