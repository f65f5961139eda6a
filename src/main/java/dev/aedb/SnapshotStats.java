package dev.aedb;

/**
 * The reader slots in use at one moment, from {@link AedbInstance#snapshotStats()}: what a metrics exporter reads to
 * spot snapshots that are held too long or leaked. The numbers come from one racy scan of the slots; each is exact for
 * some instant during the call.
 *
 * @param openSnapshots         {@link Snapshot}s holding a slot: not yet closed, expired by a read, or collected.
 * @param readsInFlight         one-shot reads (handles, {@code db.get}, {@code db.kvGet}, scans, queries) in flight.
 * @param expiredSnapshots      open snapshots older than {@link AedbConfig#maxSnapshotAgeMillis()}: their pins no
 *                              longer hold back reclamation, and their next read fails with SNAPSHOT_EXPIRED.
 * @param oldestSnapshotAgeMillis age of the oldest open snapshot, 0 when there is none.
 * @param oldestPinnedSeq       the smallest seq any slot pins (snapshot or read), -1 when none is in use.
 * @param slotCapacity          {@link AedbConfig#maxConcurrentSnapshots()}.
 */
public record SnapshotStats(int openSnapshots, int readsInFlight, int expiredSnapshots, long oldestSnapshotAgeMillis,
    long oldestPinnedSeq, int slotCapacity)
{
}
