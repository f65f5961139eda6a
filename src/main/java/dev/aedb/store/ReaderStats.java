package dev.aedb.store;

/**
 * A racy but consistent-enough count of the reader slots in use, for metrics and leak checks.
 *
 * @param snapshots         slots held by open snapshots (including expired ones not yet closed or collected).
 * @param reads             slots held by one-shot reads in flight.
 * @param expired           snapshots older than the maximum age: their pins no longer hold back reclamation.
 * @param oldestAgeNanos    age of the oldest open snapshot, 0 when there is none.
 * @param oldestPinnedSeq   the smallest pinned seq, -1 when no slot is claimed.
 */
public record ReaderStats(int snapshots, int reads, int expired, long oldestAgeNanos, long oldestPinnedSeq)
{
}
