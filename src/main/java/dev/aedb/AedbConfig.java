package dev.aedb;

import dev.aedb.commit.CommitSettings;
import dev.aedb.io.IoFaults;
import dev.aedb.model.AedbException;
import dev.aedb.model.Durability;
import dev.aedb.model.ErrorCode;
import dev.aedb.model.RecoveryMode;

import java.util.function.LongSupplier;

/**
 * Configuration of an instance: a mutable context with fluent setters, validated once by {@link #conclude()} when
 * the instance opens. Defaults suit a durable embedded store: {@link Durability#FULL}, {@link RecoveryMode#STRICT}.
 * Not thread-safe; do not change it after passing it to {@link AedbInstance#open}.
 */
public final class AedbConfig
{
    private Durability durability = Durability.FULL;
    private RecoveryMode recoveryMode = RecoveryMode.STRICT;
    private int maxKvKeyBytes = 1024;
    private int maxValueBytes = 1024 * 1024;
    private int maxEnvelopeBytes = 16 * 1024 * 1024;
    private int maxMutationsPerEnvelope = 16_384;
    private long batchIntervalMicros = 2_000;
    private int batchMaxBytes = 512 * 1024;
    private int ingressCapacity = 4096;
    private int maxGroupCommit = 256;
    private int storeSegmentBytes = 64 * 1024 * 1024;
    private int maxConcurrentSnapshots = 128;
    private long retainedCommits = 1024;
    private long maxSnapshotAgeMillis = 30_000;
    private LongSupplier nanoClock = System::nanoTime;
    private long idempotencyWindowCommits = 100_000;
    private long minFreeDiskBytes = 256L * 1024 * 1024;
    private IoFaults ioFaults = IoFaults.NONE;
    private long checkpointWalBytes = 64L * 1024 * 1024;
    private int checkpointWalImagePercent = 100;
    private long checkpointPacedBytesPerSecond = 256L << 20;
    private long checkpointIntervalMillis = 10 * 60 * 1000;
    private int checkpointsKept = 2;
    private boolean checkpointOnClose = true;
    private boolean relocateInIdleTime = true;
    private boolean verifyCheckpointOnOpen;
    private boolean concluded;

    /** @return the value in force; see {@link #durability(Durability)} for its meaning and default. */
    public Durability durability()
    {
        return durability;
    }

    /** @param durability when commits are acknowledged (default FULL). */
    public AedbConfig durability(final Durability durability)
    {
        this.durability = durability;
        return this;
    }

    /** @return the value in force; see {@link #recoveryMode(RecoveryMode)} for its meaning and default. */
    public RecoveryMode recoveryMode()
    {
        return recoveryMode;
    }

    /** @param recoveryMode how a bad WAL frame is treated at open (default STRICT). */
    public AedbConfig recoveryMode(final RecoveryMode recoveryMode)
    {
        this.recoveryMode = recoveryMode;
        return this;
    }

    /** @return the value in force; see {@link #maxKvKeyBytes(int)} for its meaning and default. */
    public int maxKvKeyBytes()
    {
        return maxKvKeyBytes;
    }

    /**
     * @param bytes largest KV key and largest encoded primary key a new commit may store (default 1024). Applies to
     *              new commits only: data committed under a higher limit is replayed, read, deleted and asserted on
     *              as before.
     */
    public AedbConfig maxKvKeyBytes(final int bytes)
    {
        this.maxKvKeyBytes = bytes;
        return this;
    }

    /** @return the value in force; see {@link #maxValueBytes(int)} for its meaning and default. */
    public int maxValueBytes()
    {
        return maxValueBytes;
    }

    /**
     * @param bytes largest KV value and largest encoded row a new commit may store (default 1 MiB). Applies to new
     *              commits only: values committed under a higher limit are replayed and read as before.
     */
    public AedbConfig maxValueBytes(final int bytes)
    {
        this.maxValueBytes = bytes;
        return this;
    }

    /** @return the value in force; see {@link #maxEnvelopeBytes(int)} for its meaning and default. */
    public int maxEnvelopeBytes()
    {
        return maxEnvelopeBytes;
    }

    /** @param bytes largest encoded envelope, i.e. WAL frame payload (default 16 MiB, the most a WAL excerpt holds). */
    public AedbConfig maxEnvelopeBytes(final int bytes)
    {
        this.maxEnvelopeBytes = bytes;
        return this;
    }

    /** @return the value in force; see {@link #maxMutationsPerEnvelope(int)} for its meaning and default. */
    public int maxMutationsPerEnvelope()
    {
        return maxMutationsPerEnvelope;
    }

    /** @param count most mutations in one envelope (default 16 384). */
    public AedbConfig maxMutationsPerEnvelope(final int count)
    {
        this.maxMutationsPerEnvelope = count;
        return this;
    }

    /** @return the value in force; see {@link #batchIntervalMicros(long)} for its meaning and default. */
    public long batchIntervalMicros()
    {
        return batchIntervalMicros;
    }

    /** @param micros longest wait before a sync in {@link Durability#BATCH} mode (default 2 000). */
    public AedbConfig batchIntervalMicros(final long micros)
    {
        this.batchIntervalMicros = micros;
        return this;
    }

    /** @return the value in force; see {@link #batchMaxBytes(int)} for its meaning and default. */
    public int batchMaxBytes()
    {
        return batchMaxBytes;
    }

    /** @param bytes unsynced WAL bytes that force a sync in {@link Durability#BATCH} mode (default 512 KiB). */
    public AedbConfig batchMaxBytes(final int bytes)
    {
        this.batchMaxBytes = bytes;
        return this;
    }

    /** @return the value in force; see {@link #ingressCapacity(int)} for its meaning and default. */
    public int ingressCapacity()
    {
        return ingressCapacity;
    }

    /** @param capacity envelopes queued for the sequencer before callers get QUEUE_FULL (default 4096). */
    public AedbConfig ingressCapacity(final int capacity)
    {
        this.ingressCapacity = capacity;
        return this;
    }

    /** @return the value in force; see {@link #maxGroupCommit(int)} for its meaning and default. */
    public int maxGroupCommit()
    {
        return maxGroupCommit;
    }

    /** @param count most envelopes the sequencer groups under one sync (default 256). */
    public AedbConfig maxGroupCommit(final int count)
    {
        this.maxGroupCommit = count;
        return this;
    }

    /** @return the value in force; see {@link #storeSegmentBytes(int)} for its meaning and default. */
    public int storeSegmentBytes()
    {
        return storeSegmentBytes;
    }

    /** @param bytes size of each pre-allocated store segment file, a power of two from 1 MiB to 1 GiB (default 64 MiB). */
    public AedbConfig storeSegmentBytes(final int bytes)
    {
        this.storeSegmentBytes = bytes;
        return this;
    }

    /** @return the value in force; see {@link #maxConcurrentSnapshots(int)} for its meaning and default. */
    public int maxConcurrentSnapshots()
    {
        return maxConcurrentSnapshots;
    }

    /** @param count reader slots: reads and open snapshots in flight at once (default 128). */
    public AedbConfig maxConcurrentSnapshots(final int count)
    {
        this.maxConcurrentSnapshots = count;
        return this;
    }

    /** @return the value in force; see {@link #retainedCommits(long)} for its meaning and default. */
    public long retainedCommits()
    {
        return retainedCommits;
    }

    /** @param commits how many recent commits stay readable with {@code AtSeq} without a pinned snapshot (default 1024). */
    public AedbConfig retainedCommits(final long commits)
    {
        this.retainedCommits = commits;
        return this;
    }

    /** @return how long a {@link Snapshot} stays usable, in milliseconds (see {@link #maxSnapshotAgeMillis(long)}). */
    public long maxSnapshotAgeMillis()
    {
        return maxSnapshotAgeMillis;
    }

    /**
     * @param millis how long a {@link Snapshot} stays usable (default 30 000). A read through an older one fails
     *               with {@link ErrorCode#SNAPSHOT_EXPIRED} and releases its slot; once a snapshot is older and not
     *               in the middle of a read, its pin no longer holds back the reclamation of old versions, so an
     *               abandoned snapshot cannot make the store grow for ever. One-shot reads are not limited.
     *               {@code Long.MAX_VALUE} means no limit.
     */
    public AedbConfig maxSnapshotAgeMillis(final long millis)
    {
        this.maxSnapshotAgeMillis = millis;
        return this;
    }

    /** Tests: the monotonic nanosecond clock snapshot ages are measured on (default {@link System#nanoTime()}). */
    AedbConfig nanoClock(final LongSupplier clock)
    {
        this.nanoClock = clock;
        return this;
    }

    LongSupplier nanoClock()
    {
        return nanoClock;
    }

    /**
     * Tests: the fault seam this instance's WAL and commit path go through (default {@link IoFaults#NONE}). Per
     * instance, so one instance's disk can fail while another's works.
     */
    AedbConfig ioFaults(final IoFaults faults)
    {
        this.ioFaults = faults;
        return this;
    }

    IoFaults ioFaults()
    {
        return ioFaults;
    }

    /** @return what the commit layer needs of this (concluded) configuration. */
    CommitSettings commitSettings()
    {
        return new CommitSettings(durability, recoveryMode, batchIntervalMicros, batchMaxBytes, maxGroupCommit, ingressCapacity,
            idempotencyWindowCommits, maxEnvelopeBytes, minFreeDiskBytes, maxKvKeyBytes, maxValueBytes, maxMutationsPerEnvelope,
            ioFaults, checkpointWalBytes, checkpointWalImagePercent, checkpointIntervalMillis, checkpointsKept,
            checkpointOnClose, relocateInIdleTime, checkpointPacedBytesPerSecond);
    }

    /** @return {@link #maxSnapshotAgeMillis()} in nanoseconds, {@code Long.MAX_VALUE} when that would overflow. */
    long maxSnapshotAgeNanos()
    {
        return maxSnapshotAgeMillis > Long.MAX_VALUE / 1_000_000 ? Long.MAX_VALUE : maxSnapshotAgeMillis * 1_000_000;
    }

    /** @return the value in force; see {@link #idempotencyWindowCommits(long)} for its meaning and default. */
    public long idempotencyWindowCommits()
    {
        return idempotencyWindowCommits;
    }

    /** @param commits how many commits an idempotency key is remembered for (default 100 000). */
    public AedbConfig idempotencyWindowCommits(final long commits)
    {
        this.idempotencyWindowCommits = commits;
        return this;
    }

    /** @return the value in force; see {@link #minFreeDiskBytes(long)} for its meaning and default. */
    public long minFreeDiskBytes()
    {
        return minFreeDiskBytes;
    }

    /** @return WAL bytes written since the last checkpoint that start the next one; 0 = never by size. */
    public long checkpointWalBytes()
    {
        return checkpointWalBytes;
    }

    /**
     * @param bytes WAL bytes written since the last checkpoint after which the sequencer starts the next one (default
     *              64 MiB; 0 = never by size; else at least 4096), or more once the images are larger (see
     *              {@link #checkpointWalImagePercent(int)}). The WAL retained is at most about {@code checkpointsKept + 1}
     *              times the trigger in force plus one batch: once a trigger's worth has come in while a checkpoint
     *              is still being written, commits wait for it.
     */
    public AedbConfig checkpointWalBytes(final long bytes)
    {
        this.checkpointWalBytes = bytes;
        return this;
    }

    /** @return the share of the newest image's size, in percent, below which the WAL trigger does not go. */
    public int checkpointWalImagePercent()
    {
        return checkpointWalImagePercent;
    }

    /**
     * @param percent a checkpoint by size starts once the WAL written since the last one passes the larger of
     *                {@link #checkpointWalBytes(long)} and this share of the newest image's size (default 100; 0 = the
     *                fixed trigger alone; at most 10,000). A checkpoint writes the whole state, so with a fixed trigger
     *                its cost per committed byte grows with the store (a 1 GB store with a 64 MiB trigger writes 16
     *                bytes of image per byte of WAL, and a checkpoint that takes longer than a trigger's worth of
     *                commits holds commits back); at 100 % it writes at most one byte of image per byte of WAL
     *                however large the store grows. While a checkpoint is being written, commits wait for it once
     *                the WAL since its start passes the trigger by more than this share of what it has written beyond
     *                the newest image (a growing store's image outgrows the one that set the trigger). The price: up
     *                to about one image's size more WAL kept and replayed after a crash. Ignored when {@code
     *                checkpointWalBytes} is 0.
     */
    public AedbConfig checkpointWalImagePercent(final int percent)
    {
        this.checkpointWalImagePercent = percent;
        return this;
    }

    /** @return a checkpoint image's write rate, in bytes per second, while durable commits sync; 0 = never paced. */
    public long checkpointPacedBytesPerSecond()
    {
        return checkpointPacedBytesPerSecond;
    }

    /**
     * @param bytesPerSecond the rate a checkpoint image is written at while durable commits ({@code FULL},
     *                       {@code BATCH}) are syncing the WAL, a sync having ended within the last 10 ms (default
     *                       256 MiB/s; 0 = never paced; else at least 1 MiB/s). Unpaced, the image's writes keep the
     *                       device's queue full and every WAL sync waits behind them: measured here, a FULL commit's
     *                       p99 went from 0.3 ms to 3.5 ms during a 1 M-key checkpoint written at ~600 MB/s. Set it
     *                       to about half the device's sequential write rate: lower makes checkpoints under durable
     *                       load last longer (and the WAL they let grow, see {@link #checkpointWalImagePercent(int)}),
     *                       higher lets them slow durable commits. With no recent sync (buffered commits only, or
     *                       none), images are written as fast as the disk takes them.
     */
    public AedbConfig checkpointPacedBytesPerSecond(final long bytesPerSecond)
    {
        this.checkpointPacedBytesPerSecond = bytesPerSecond;
        return this;
    }

    /** @return the time since the last checkpoint after which new commits start the next one; 0 = never by time. */
    public long checkpointIntervalMillis()
    {
        return checkpointIntervalMillis;
    }

    /** @param millis time after which a new commit starts a checkpoint (default 10 minutes; 0 = never by time). */
    public AedbConfig checkpointIntervalMillis(final long millis)
    {
        this.checkpointIntervalMillis = millis;
        return this;
    }

    /** @return checkpoints kept on disk, newest first; the WAL from the oldest one on is kept too. */
    public int checkpointsKept()
    {
        return checkpointsKept;
    }

    /**
     * @param kept checkpoints kept (default 2, 1..64): with 2, a damaged newest checkpoint still lets a PERMISSIVE open
     *             fall back to the previous one and replay the WAL from there.
     */
    public AedbConfig checkpointsKept(final int kept)
    {
        this.checkpointsKept = kept;
        return this;
    }

    /** @return whether a clean close checkpoints what was committed since the last checkpoint. */
    public boolean checkpointOnClose()
    {
        return checkpointOnClose;
    }

    /**
     * @param enabled whether a clean close writes a checkpoint of what was committed since the last one (default true),
     *                so the next open replays nothing. Off, close is faster and the next open replays the WAL since
     *                the last checkpoint.
     */
    public AedbConfig checkpointOnClose(final boolean enabled)
    {
        this.checkpointOnClose = enabled;
        return this;
    }

    /** @return whether the idle sequencer moves key records into key order in memory. */
    public boolean relocateInIdleTime()
    {
        return relocateInIdleTime;
    }

    /**
     * @param enabled whether the sequencer, once it has seen no commit for 1 ms, moves the key records of key spaces
     *                whose keys were inserted out of order (at least 1 in 16 of their keys since the last pass) into
     *                key order in memory, with the newest version of each, in steps of 64 records between which
     *                commits go first (default true). Scans and checkpoints then read neighbouring keys from
     *                neighbouring memory (a 100-entry scan of 1 M randomly inserted keys ran 2-3 times as fast). A
     *                pass moves each record once, costs about twice the records' bytes of arena space until the old
     *                copies are reused, and changes nothing a reader can see. Off, records stay where they were
     *                inserted until a checkpoint image is reopened.
     */
    public AedbConfig relocateInIdleTime(final boolean enabled)
    {
        this.relocateInIdleTime = enabled;
        return this;
    }

    /** @return whether an open verifies every block of the checkpoint it starts from before it returns. */
    public boolean verifyCheckpointOnOpen()
    {
        return verifyCheckpointOnOpen;
    }

    /**
     * @param enabled whether open verifies every block of the checkpoint against its CRC32C before it returns (default
     *                false: each block is verified the first time it is read or written, so open costs the same at any
     *                size and damage is still met before any of its data is used; true: a damaged block is found at open,
     *                where STRICT refuses and PERMISSIVE falls back to the previous checkpoint, at about 10 ms per
     *                100 MB of image).
     */
    public AedbConfig verifyCheckpointOnOpen(final boolean enabled)
    {
        this.verifyCheckpointOnOpen = enabled;
        return this;
    }

    /** @param bytes free space below which commits are refused with DISK_FULL rather than risk a SIGBUS (default 256 MiB). */
    public AedbConfig minFreeDiskBytes(final long bytes)
    {
        this.minFreeDiskBytes = bytes;
        return this;
    }

    /**
     * Validates every field once.
     *
     * @return this.
     * @throws AedbException with {@link ErrorCode#INVALID_CONFIG} naming the first bad field.
     */
    public AedbConfig conclude()
    {
        if (durability == null)
        {
            throw invalid("durability=null");
        }
        if (recoveryMode == null)
        {
            throw invalid("recoveryMode=null");
        }
        positive("maxKvKeyBytes", maxKvKeyBytes);
        positive("maxValueBytes", maxValueBytes);
        positive("maxMutationsPerEnvelope", maxMutationsPerEnvelope);
        positive("batchIntervalMicros", batchIntervalMicros);
        positive("batchMaxBytes", batchMaxBytes);
        positive("ingressCapacity", ingressCapacity);
        positive("maxGroupCommit", maxGroupCommit);
        positive("maxConcurrentSnapshots", maxConcurrentSnapshots);
        positive("idempotencyWindowCommits", idempotencyWindowCommits);
        positive("maxSnapshotAgeMillis", maxSnapshotAgeMillis);
        if (nanoClock == null)
        {
            throw invalid("nanoClock=null");
        }
        if (ioFaults == null)
        {
            throw invalid("ioFaults=null");
        }
        if (maxEnvelopeBytes <= 0 || maxEnvelopeBytes > 16 * 1024 * 1024)
        {
            throw invalid("maxEnvelopeBytes must be in 1..16777216 (the largest WAL excerpt), maxEnvelopeBytes=" + maxEnvelopeBytes);
        }
        if (maxKvKeyBytes > 64 * 1024)
        {
            throw invalid("maxKvKeyBytes must be <= 65536, maxKvKeyBytes=" + maxKvKeyBytes);
        }
        if (Integer.bitCount(storeSegmentBytes) != 1 || storeSegmentBytes < (1 << 20) || storeSegmentBytes > (1 << 30))
        {
            throw invalid("storeSegmentBytes must be a power of two in 1 MiB..1 GiB, storeSegmentBytes=" + storeSegmentBytes);
        }
        if (maxValueBytes + maxKvKeyBytes + 1024 > storeSegmentBytes / 2)
        {
            throw invalid("maxValueBytes must fit in half a store segment, maxValueBytes=" + maxValueBytes
                + " storeSegmentBytes=" + storeSegmentBytes);
        }
        if (retainedCommits < 0)
        {
            throw invalid("retainedCommits must be >= 0, retainedCommits=" + retainedCommits);
        }
        if (minFreeDiskBytes < 0)
        {
            throw invalid("minFreeDiskBytes must be >= 0, minFreeDiskBytes=" + minFreeDiskBytes);
        }
        if (checkpointWalBytes < 0 || (checkpointWalBytes > 0 && checkpointWalBytes < 4096))
        {
            throw invalid("checkpointWalBytes must be 0 (never by size) or >= 4096, checkpointWalBytes=" + checkpointWalBytes);
        }
        if (checkpointWalImagePercent < 0 || checkpointWalImagePercent > 10_000)
        {
            throw invalid("checkpointWalImagePercent must be within 0..10000, checkpointWalImagePercent="
                + checkpointWalImagePercent);
        }
        if (checkpointPacedBytesPerSecond < 0 || (checkpointPacedBytesPerSecond > 0 && checkpointPacedBytesPerSecond < 1L << 20))
        {
            throw invalid("checkpointPacedBytesPerSecond must be 0 (never paced) or >= 1048576, checkpointPacedBytesPerSecond="
                + checkpointPacedBytesPerSecond);
        }
        if (checkpointIntervalMillis < 0)
        {
            throw invalid("checkpointIntervalMillis must be >= 0 (0 = never by time), checkpointIntervalMillis="
                + checkpointIntervalMillis);
        }
        if (checkpointsKept < 1 || checkpointsKept > 64)
        {
            throw invalid("checkpointsKept must be in 1..64, checkpointsKept=" + checkpointsKept);
        }
        concluded = true;
        return this;
    }

    boolean isConcluded()
    {
        return concluded;
    }

    private static void positive(final String name, final long value)
    {
        if (value <= 0)
        {
            throw invalid(name + " must be > 0, " + name + "=" + value);
        }
    }

    private static AedbException invalid(final String message)
    {
        return new AedbException(ErrorCode.INVALID_CONFIG, message);
    }

    @Override
    public String toString()
    {
        return "AedbConfig{durability=" + durability + ", recoveryMode=" + recoveryMode + ", maxKvKeyBytes=" + maxKvKeyBytes
            + ", maxValueBytes=" + maxValueBytes + ", maxEnvelopeBytes=" + maxEnvelopeBytes + ", maxMutationsPerEnvelope="
            + maxMutationsPerEnvelope + ", storeSegmentBytes=" + storeSegmentBytes + "}";
    }
}
