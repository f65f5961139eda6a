package dev.aedb.commit;

import dev.aedb.io.IoFaults;
import dev.aedb.model.Durability;
import dev.aedb.model.RecoveryMode;

/**
 * What the commit layer needs of the configuration: durability, recovery policy, group-commit and ingress bounds, and
 * the size limits of new commits. Built by the facade from a concluded {@code AedbConfig}, whose Javadoc states each
 * field's meaning and range; this record checks nothing itself.
 *
 * @param durability               when a commit is acknowledged.
 * @param recoveryMode             STRICT or PERMISSIVE handling of a damaged WAL at open.
 * @param batchIntervalMicros      longest wait for more commits before a BATCH sync.
 * @param batchMaxBytes            WAL bytes that force a BATCH sync.
 * @param maxGroupCommit           most envelopes applied per group commit.
 * @param ingressCapacity          capacity of the queue from callers to the sequencer.
 * @param idempotencyWindowCommits commits an idempotency key is remembered for.
 * @param maxEnvelopeBytes         largest encoded envelope.
 * @param minFreeDiskBytes         free space the WAL keeps on its file system.
 * @param maxKvKeyBytes            largest KV key.
 * @param maxValueBytes            largest KV value or encoded row.
 * @param maxMutationsPerEnvelope  most mutations in one envelope.
 * @param ioFaults                 the instance's fault seam, {@link IoFaults#NONE} outside tests.
 * @param checkpointWalBytes       WAL bytes written since the last checkpoint that start the next one (0 = never).
 * @param checkpointWalImagePercent the share of the newest image's size, in percent, below which that trigger does
 *                                 not go (0 = the fixed trigger alone).
 * @param checkpointIntervalMillis time since the last checkpoint after which commits start the next one (0 = never).
 * @param checkpointsKept          checkpoints kept (and the WAL they need).
 * @param checkpointOnClose        whether a clean close checkpoints what was committed since the last one.
 * @param relocateInIdleTime       whether the idle sequencer moves key records into key order in memory.
 * @param checkpointPacedBytesPerSecond a checkpoint image's write rate while durable commits sync (0 = never paced).
 */
public record CommitSettings(
    Durability durability,
    RecoveryMode recoveryMode,
    long batchIntervalMicros,
    int batchMaxBytes,
    int maxGroupCommit,
    int ingressCapacity,
    long idempotencyWindowCommits,
    int maxEnvelopeBytes,
    long minFreeDiskBytes,
    int maxKvKeyBytes,
    int maxValueBytes,
    int maxMutationsPerEnvelope,
    IoFaults ioFaults,
    long checkpointWalBytes,
    int checkpointWalImagePercent,
    long checkpointIntervalMillis,
    int checkpointsKept,
    boolean checkpointOnClose,
    boolean relocateInIdleTime,
    long checkpointPacedBytesPerSecond)
{
}
