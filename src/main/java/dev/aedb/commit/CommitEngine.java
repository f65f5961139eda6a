package dev.aedb.commit;

import dev.aedb.AedbConfig;
import dev.aedb.AedbException;
import dev.aedb.CommitResult;
import dev.aedb.Durability;
import dev.aedb.ErrorCode;
import dev.aedb.RecoveryReport;
import dev.aedb.codec.ByteWriter;
import dev.aedb.codec.EnvelopeCodec;
import dev.aedb.codec.FrameDescriptor;
import dev.aedb.store.Store;
import dev.aedb.wal.ChronicleWal;
import dev.aedb.wal.DirectoryLock;
import dev.aedb.wal.WalReader;
import dev.aedb.wal.WalState;

import org.agrona.concurrent.ManyToOneConcurrentArrayQueue;
import org.agrona.concurrent.UnsafeBuffer;

import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.locks.LockSupport;
import java.util.zip.CRC32C;

/**
 * The commit protocol: callers encode and submit envelopes to a many-to-one queue; one sequencer thread drains a
 * batch, applies each envelope at {@code seq = last + 1} (a rejected one consumes no seq and changes nothing),
 * appends its frame to the WAL, and at the end of the batch syncs per the durability mode, publishes the visible
 * and durable heads, and completes the callers' futures (group commit). After a WAL append or sync failure it
 * stops for good (fail-stop): every later request fails with PREVIOUS_FAILURE.
 */
public final class CommitEngine implements AutoCloseable
{
    private static final long SPIN_NANOS = 20_000;
    private static final long IDLE_PARK_NANOS = 1_000_000;
    private static final int SWEEP_BUDGET = 512;
    private static final int RECLAIM_PENDING_THRESHOLD = 4096;
    /** How often, at most, the sequencer checks before writing that the directory's LOCK file is still its own. */
    private static final long LOCK_CHECK_NANOS = 1_000_000;

    private final AedbConfig config;
    private final Store store;
    private final ChronicleWal wal;
    private final EnvelopeApplier applier;
    private final IdempotencyIndex idempotency;
    private final ManyToOneConcurrentArrayQueue<PendingCommit> ingress;
    private final List<PendingCommit> batch = new ArrayList<>();
    private final List<PendingCommit> awaiting = new ArrayList<>();
    private final CRC32C crc = new CRC32C();
    private final UnsafeBuffer frameView = new UnsafeBuffer(new byte[0]);
    private final Thread thread;
    private final RecoveryReport recoveryReport;
    private final DirectoryLock lock;
    private long lastLockCheck = Long.MIN_VALUE / 2;
    private volatile boolean running = true;
    private volatile boolean parked;
    private volatile AedbException failure;
    private AedbException batchFailure;
    private boolean syncRequested;
    private long lastSeq;
    private long firstAwaitNanos;

    private CommitEngine(final AedbConfig config, final Store store, final ChronicleWal wal, final EnvelopeApplier applier,
        final IdempotencyIndex idempotency, final RecoveryReport report, final DirectoryLock lock)
    {
        this.lock = lock;
        this.config = config;
        this.store = store;
        this.wal = wal;
        this.applier = applier;
        this.idempotency = idempotency;
        this.recoveryReport = report;
        this.ingress = new ManyToOneConcurrentArrayQueue<>(config.ingressCapacity());
        lastSeq = report.lastSeq();
        store.publishVisible(lastSeq);
        store.publishDurable(lastSeq);
        store.reclaim();
        thread = new Thread(this::run, "aedb-sequencer");
        thread.setDaemon(true);
    }

    /**
     * Recovers the data directory's WAL into the store ({@link WalReplay}), makes what it read durable and recorded
     * in the {@link WalState}, and opens the WAL for appending where the log ends. The sequencer does not run until
     * {@link #start()}.
     *
     * @param lock the held lock of {@code dataDirectory}; the sequencer checks it before writing (at most every ms).
     * @throws AedbException WAL_CORRUPT or REPLAY_DIVERGENCE when recovery refuses the log, IO_ERROR.
     */
    public static CommitEngine open(final AedbConfig config, final Store store, final Path dataDirectory, final DirectoryLock lock)
    {
        final EnvelopeApplier applier = new EnvelopeApplier(store, config);
        final IdempotencyIndex idempotency = new IdempotencyIndex(config.idempotencyWindowCommits());
        final WalReplay.Outcome outcome = new WalReplay(dataDirectory, applier, idempotency, store, config.recoveryMode()).run();
        final Path walDirectory = dataDirectory.resolve(WalReplay.WAL_DIRECTORY);
        // What recovery read becomes the synced state: pages a killed process left unsynced reach the disk first.
        new WalReader(walDirectory).fsyncFrom(outcome.rewriteState() ? null : outcome.syncedFile());
        final WalState.Mark last = outcome.last();
        if (outcome.rewriteState())
        {
            WalState.write(dataDirectory, last, last);
        }
        final WalState state = WalState.open(dataDirectory);
        final byte[] file = WalState.nameBytes(last.file());
        state.record(last.commitSeq(), file, last.position(), last.length(), last.crc(), last.commitSeq(), file, last.position(),
            last.length(), last.crc());
        final ChronicleWal wal;
        try
        {
            wal = new ChronicleWal(walDirectory, config.minFreeDiskBytes(), state, outcome.end(), last);
        }
        catch (final RuntimeException ex)
        {
            state.close();
            throw ex;
        }
        return new CommitEngine(config, store, wal, applier, idempotency,
            new RecoveryReport(outcome.replayed(), outcome.lastSeq(), outcome.dropped(), outcome.notes()), lock);
    }

    /** Starts the sequencer. */
    public void start()
    {
        thread.start();
    }

    /** @return what recovery did. */
    public RecoveryReport recoveryReport()
    {
        return recoveryReport;
    }

    /** @return the newest catalog (writer view); readers pick their version with {@link CatalogState#at}. */
    public CatalogState catalog()
    {
        return applier.catalog();
    }

    /** @return the failure that stopped the engine, or null. */
    public AedbException failure()
    {
        return failure;
    }

    /**
     * Caller thread: validates the envelope's shape, encodes its WAL frame and queues it.
     *
     * @return a future completed when the commit is acknowledged under the durability mode.
     */
    public CompletableFuture<CommitResult> submit(final TransactionEnvelope envelope)
    {
        EnvelopeValidator.validate(envelope, config);
        byte[] fingerprint = null;
        if (envelope.idempotencyKey() != null)
        {
            final ByteWriter request = new ByteWriter(256);
            EnvelopeCodec.encodeRequest(envelope, request);
            fingerprint = fingerprint(request);
        }
        final ByteWriter w = new ByteWriter(FrameDescriptor.HEADER_LENGTH + 256);
        w.position(FrameDescriptor.HEADER_LENGTH);
        EnvelopeCodec.encode(envelope, fingerprint, w);
        final int payloadLength = w.position() - FrameDescriptor.HEADER_LENGTH;
        if (payloadLength > config.maxEnvelopeBytes())
        {
            throw new AedbException(ErrorCode.ENVELOPE_TOO_LARGE,
                "encoded envelope of " + payloadLength + " bytes exceeds maxEnvelopeBytes=" + config.maxEnvelopeBytes());
        }
        w.putInt(0);
        final byte[] frame = w.array().length == w.position() ? w.array() : w.toByteArray();
        return enqueue(new PendingCommit(PendingCommit.COMMIT, envelope, frame, payloadLength, fingerprint));
    }

    /**
     * @return a future completed with the durable head once everything committed so far is synced.
     */
    public CompletableFuture<CommitResult> sync()
    {
        return enqueue(new PendingCommit(PendingCommit.SYNC, null, null, 0, null));
    }

    private CompletableFuture<CommitResult> enqueue(final PendingCommit p)
    {
        final AedbException f = failure;
        if (f != null)
        {
            throw previousFailure(f);
        }
        if (!running)
        {
            throw new AedbException(ErrorCode.CLOSED, "instance is closed");
        }
        if (!ingress.offer(p))
        {
            throw new AedbException(ErrorCode.QUEUE_FULL, "commit queue is full (ingressCapacity=" + config.ingressCapacity()
                + "); retry later");
        }
        if (parked)
        {
            LockSupport.unpark(thread);
        }
        if (!running)
        {
            p.completeExceptionally(new AedbException(ErrorCode.CLOSED, "instance is closed"));
        }
        return p;
    }

    private static AedbException previousFailure(final AedbException cause)
    {
        return new AedbException(ErrorCode.PREVIOUS_FAILURE,
            "the instance stopped after an earlier failure (" + cause.getMessage() + "); reopen it", cause);
    }

    private static byte[] fingerprint(final ByteWriter request)
    {
        try
        {
            final MessageDigest sha = MessageDigest.getInstance("SHA-256");
            sha.update(request.array(), 0, request.position());
            final byte[] out = new byte[EnvelopeCodec.FINGERPRINT_LENGTH];
            System.arraycopy(sha.digest(), 0, out, 0, out.length);
            return out;
        }
        catch (final NoSuchAlgorithmException ex)
        {
            throw new IllegalStateException("SHA-256 is required by every JDK", ex);
        }
    }

    // ------------------------------------------------------------------ sequencer thread

    private void run()
    {
        while (true)
        {
            final int drained = ingress.drainTo(batch, config.maxGroupCommit());
            if (drained > 0)
            {
                checkLock();
                for (final PendingCommit p : batch)
                {
                    process(p);
                }
                batch.clear();
                batchFailure = null;
                finishBatch(false);
                store.reclaim();
                continue;
            }
            if (!awaiting.isEmpty() && batchDue())
            {
                finishBatch(true);
                continue;
            }
            if (!running)
            {
                break;
            }
            if (failure == null)
            {
                final long horizon = store.reclaim();
                applier.pruneCatalogHistory(horizon);
                if (store.sweep(SWEEP_BUDGET) > 0)
                {
                    continue;
                }
            }
            idle();
        }
        shutdown();
    }

    /**
     * A second process can open the directory once its LOCK file is deleted or replaced; stop before writing then
     * (it needs far longer than the check interval to open and replay before it could append).
     */
    private void checkLock()
    {
        final long now = System.nanoTime();
        if (failure != null || now - lastLockCheck < LOCK_CHECK_NANOS)
        {
            return;
        }
        lastLockCheck = now;
        try
        {
            lock.checkHeld();
        }
        catch (final AedbException ex)
        {
            failStop(ex);
            batchFailure = ex;
        }
    }

    private void idle()
    {
        final long start = System.nanoTime();
        while (System.nanoTime() - start < SPIN_NANOS)
        {
            if (!ingress.isEmpty() || !running)
            {
                return;
            }
            Thread.onSpinWait();
        }
        parked = true;
        if (ingress.isEmpty() && running)
        {
            long parkNanos = IDLE_PARK_NANOS;
            if (!awaiting.isEmpty())
            {
                parkNanos = Math.max(1_000, firstAwaitNanos + config.batchIntervalMicros() * 1000 - System.nanoTime());
            }
            LockSupport.parkNanos(this, parkNanos);
        }
        parked = false;
    }

    private boolean batchDue()
    {
        return syncRequested || System.nanoTime() - firstAwaitNanos >= config.batchIntervalMicros() * 1000
            || wal.unsyncedBytes() >= config.batchMaxBytes();
    }

    private void process(final PendingCommit p)
    {
        if (p.isDone())
        {
            return;
        }
        final AedbException f = failure;
        if (f != null)
        {
            p.completeExceptionally(f == batchFailure ? f : previousFailure(f));
            return;
        }
        if (p.kind == PendingCommit.SYNC)
        {
            syncRequested = true;
            await(p);
            return;
        }
        final TransactionEnvelope envelope = p.envelope;
        final String caller = envelope.caller() == null ? null : envelope.caller().callerId();
        final long seq = lastSeq + 1;
        try
        {
            wal.checkFreeSpace(p.frame.length);
            wal.preallocate(p.frame.length);
            if (envelope.idempotencyKey() != null)
            {
                final IdempotencyIndex.Entry seen = idempotency.find(caller, envelope.idempotencyKey());
                if (seen != null)
                {
                    if (!java.util.Arrays.equals(seen.fingerprint(), p.fingerprint))
                    {
                        throw new AedbException(ErrorCode.IDEMPOTENCY_KEY_REUSE,
                            "idempotency key was used by commit " + seen.seq() + " for a different request");
                    }
                    p.seq = seen.seq();
                    p.duplicate = true;
                    await(p);
                    return;
                }
            }
            applier.apply(envelope, seq);
        }
        catch (final AedbException ex)
        {
            p.completeExceptionally(ex);
            return;
        }
        catch (final RuntimeException ex)
        {
            failStop(new AedbException(ErrorCode.IO_ERROR, "commit failed in the store: " + ex, ex));
            p.completeExceptionally(failure);
            return;
        }
        try
        {
            frameView.wrap(p.frame);
            final int length = FrameDescriptor.seal(frameView, p.frame, FrameDescriptor.TYPE_COMMIT, seq,
                System.currentTimeMillis() * 1000, p.payloadLength, crc);
            wal.append(p.frame, length);
        }
        catch (final RuntimeException ex)
        {
            failStop(new AedbException(ErrorCode.IO_ERROR, "WAL append failed: " + ex, ex));
            p.completeExceptionally(failure);
            return;
        }
        lastSeq = seq;
        if (store.pendingRetired() > RECLAIM_PENDING_THRESHOLD)
        {
            store.reclaim(); // keep a large group commit from holding a batch worth of garbage
        }
        if (envelope.idempotencyKey() != null)
        {
            idempotency.record(caller, envelope.idempotencyKey(), p.fingerprint, seq);
        }
        p.seq = seq;
        await(p);
    }

    private void await(final PendingCommit p)
    {
        if (awaiting.isEmpty())
        {
            firstAwaitNanos = System.nanoTime();
        }
        awaiting.add(p);
    }

    private void finishBatch(final boolean due)
    {
        if (awaiting.isEmpty())
        {
            return;
        }
        final Durability durability = config.durability();
        final boolean sync = durability == Durability.FULL || syncRequested || (durability == Durability.BATCH && (due || batchDue()));
        if (sync)
        {
            try
            {
                wal.sync();
            }
            catch (final Exception ex)
            {
                failStop(new AedbException(ErrorCode.IO_ERROR, "WAL sync failed: " + ex, ex));
                final AedbException error = failure;
                for (final PendingCommit p : awaiting)
                {
                    p.completeExceptionally(error);
                }
                awaiting.clear();
                syncRequested = false;
                return;
            }
            wal.acknowledge(lastSeq, true);
            store.publishDurable(lastSeq);
            store.publishVisible(lastSeq);
            syncRequested = false;
        }
        else if (durability == Durability.OS_BUFFERED)
        {
            wal.acknowledge(lastSeq, false);
            store.publishVisible(lastSeq);
        }
        else
        {
            return; // BATCH: wait for the interval or the byte threshold
        }
        final long durable = store.durableHead();
        for (final PendingCommit p : awaiting)
        {
            p.complete(new CommitResult(p.kind == PendingCommit.SYNC ? durable : p.seq, durable, p.duplicate));
        }
        awaiting.clear();
    }

    private void failStop(final AedbException cause)
    {
        if (failure == null)
        {
            failure = cause;
        }
    }

    private void shutdown()
    {
        if (failure == null && !awaiting.isEmpty())
        {
            syncRequested = true;
            finishBatch(true);
        }
        else if (failure == null && config.durability() != Durability.FULL)
        {
            try
            {
                wal.sync();
                wal.acknowledge(lastSeq, true);
                store.publishDurable(lastSeq);
            }
            catch (final Exception ex)
            {
                failStop(new AedbException(ErrorCode.IO_ERROR, "WAL sync at close failed: " + ex, ex));
            }
        }
        final AedbException closed = new AedbException(ErrorCode.CLOSED, "instance is closed");
        for (final PendingCommit p : awaiting)
        {
            p.completeExceptionally(closed);
        }
        awaiting.clear();
        PendingCommit p;
        while ((p = ingress.poll()) != null)
        {
            p.completeExceptionally(closed);
        }
    }

    /**
     * Stops the sequencer after it has finished what was queued, syncing the WAL first, then closes the WAL. Also
     * for an engine that was never started.
     */
    @Override
    public void close()
    {
        running = false;
        LockSupport.unpark(thread);
        boolean interrupted = false;
        if (thread.getState() == Thread.State.NEW)
        {
            shutdown();
        }
        while (thread.isAlive())
        {
            try
            {
                thread.join();
            }
            catch (final InterruptedException ex)
            {
                interrupted = true;
            }
        }
        wal.close();
        if (interrupted)
        {
            Thread.currentThread().interrupt();
        }
    }
}
