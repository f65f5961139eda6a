package dev.aedb.commit;

import dev.aedb.agent.AgentHost;
import dev.aedb.agent.WakeableIdleStrategy;
import dev.aedb.catalog.LiveCatalog;
import dev.aedb.checkpoint.CheckpointRecovery;
import dev.aedb.checkpoint.Checkpointer;
import dev.aedb.codec.ByteWriter;
import dev.aedb.codec.DecodeException;
import dev.aedb.codec.EnvelopeCodec;
import dev.aedb.codec.FrameDescriptor;
import dev.aedb.model.AedbException;
import dev.aedb.model.CommitResult;
import dev.aedb.model.Durability;
import dev.aedb.model.ErrorCode;
import dev.aedb.model.RecoveryReport;
import dev.aedb.model.TransactionEnvelope;
import dev.aedb.store.Store;
import dev.aedb.wal.ChronicleWal;
import dev.aedb.wal.DirectoryLock;
import dev.aedb.wal.WalReader;
import dev.aedb.wal.WalState;

import org.agrona.concurrent.Agent;
import org.agrona.concurrent.AgentTerminationException;
import org.agrona.concurrent.ManyToOneConcurrentArrayQueue;
import org.agrona.concurrent.UnsafeBuffer;

import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.zip.CRC32C;

/**
 * The commit protocol: callers encode and submit envelopes to a many-to-one queue; the holder of the cycle lock (one
 * at a time) drains a batch, applies each envelope at {@code seq = last + 1} (a rejected one consumes no seq and
 * changes nothing), appends its frame to the WAL, and at the end of the batch syncs per the durability mode,
 * publishes the visible and durable heads, and acknowledges the callers (group commit). The holder is the sequencer
 * thread, or in OS_BUFFERED and FULL a blocking caller that found the lock free ({@link #commit}): it runs the batch
 * itself, with no hand-off (in FULL only while the cycle is not contended: several durable writers are batched by the
 * sequencer).
 * <p>
 * Acknowledgement: a blocking caller is woken directly by the sequencer ({@link PendingCommit#await}); the futures of
 * asynchronous commits are completed on the {@link CallbackExecutor}, so no caller code ever runs on the sequencer.
 * <p>
 * Failures: a rejected envelope (an {@link AedbException} from validation or apply) changes nothing. An unexpected
 * RuntimeException while applying one envelope is rolled back and rejects that envelope with INTERNAL_ERROR; the
 * engine keeps going. Only I/O and integrity failures (WAL append or sync, store data that does not decode, a
 * rollback that fails) and an Error on the sequencer thread stop it for good (fail-stop): every pending request
 * fails and every later one fails with PREVIOUS_FAILURE.
 * <p>
 * The sequencer is an Agrona {@link Agent} ({@value #SEQUENCER_ROLE_NAME}) started by {@link #start(AgentHost)}: on
 * a daemon thread of its own in production, through an {@code AgentInvoker} in tests. One duty cycle is one pass of
 * the commit loop (drain and apply a batch, or finish a due BATCH sync, or housekeeping); between cycles that found
 * nothing it idles with a {@link WakeableIdleStrategy}: it spins {@value #IDLE_SPINS} cycles (about 20 us here), then
 * parks for at most {@value #IDLE_PARK_NANOS} ns, or until a BATCH sync is due, and a submitter unparks a parked
 * sequencer, so a commit after an idle spell waits for no park period.
 */
public final class CommitEngine implements AutoCloseable
{
    /** The sequencer agent's role name, also the name of its thread. */
    public static final String SEQUENCER_ROLE_NAME = "aedb-sequencer";
    /**
     * Idle duty cycles the sequencer spins before it parks. An idle cycle (an empty drain, a clock read, the runner's
     * loop and a spin wait; housekeeping every 20 us) took about 65 ns on the 2-vCPU test machines (AMD EPYC, JDK 17),
     * so the spin lasts about 20 us (16-23 us measured), as the time-based spin before it did: longer than a
     * buffered-commit caller is usually away between two commits. A longer spin trades CPU for tails (docs/design.md).
     */
    static final long IDLE_SPINS = 300;
    /** How often, at most, an idle sequencer reclaims, prunes catalog history and sweeps. */
    private static final long HOUSEKEEPING_INTERVAL_NANOS = 20_000;
    /**
     * FULL: how long after the cycle was last found contended blocking callers hand their commits to the sequencer
     * instead of running them: with several durable writers, a caller holding the lock through its sync made the
     * others each sync alone after it (2 writers: 9,900 -> 6,900 commits/s), where the sequencer batches them.
     */
    static final long CONTENDED_HAND_OFF_NANOS = 1_000_000;
    /** How long a blocking OS_BUFFERED caller spins before parking: the ack is a few microseconds away. */
    private static final long CALLER_SPIN_NANOS = 50_000;
    /** How long close() waits for callbacks of completed commits to run before it returns anyway. */
    private static final long CALLBACK_CLOSE_WAIT_NANOS = 1_000_000_000L;
    /** The longest park of an idle sequencer (it wakes to reclaim and sweep, and for the lock check). */
    static final long IDLE_PARK_NANOS = 1_000_000;
    /** What a duty cycle returns when a stop was asked for and nothing is left to do. */
    private static final int STOP = -1;
    private static final int SWEEP_BUDGET = 512;
    /** Key records one idle step of relocation into key order moves at most (about 20-30 us of the sequencer's time). */
    private static final int RELOCATE_BUDGET = 64;
    /** Relocation runs only after the sequencer saw no batch for this long: it is idle-time work, never in a commit's way. */
    private static final long RELOCATE_IDLE_NANOS = 1_000_000;
    private static final int RECLAIM_PENDING_THRESHOLD = 4096;
    /** How often, at most, the sequencer checks before writing that the directory's LOCK file is still its own. */
    private static final long LOCK_CHECK_NANOS = 1_000_000;

    private final CommitSettings config;
    private final Store store;
    private final ChronicleWal wal;
    private final EnvelopeApplier applier;
    private final IdempotencyIndex idempotency;
    private final ManyToOneConcurrentArrayQueue<PendingCommit> ingress;
    private final List<PendingCommit> batch = new ArrayList<>();
    private final List<PendingCommit> awaiting = new ArrayList<>();
    private final List<PendingCommit> resolvedAsync = new ArrayList<>();
    private final CallbackExecutor callbacks = new CallbackExecutor();
    private final CRC32C crc = new CRC32C();
    private final UnsafeBuffer frameView = new UnsafeBuffer(new byte[0]);
    private final Sequencer sequencer = new Sequencer();
    private final WakeableIdleStrategy idleStrategy = new WakeableIdleStrategy(IDLE_SPINS, 0, IDLE_PARK_NANOS,
        IDLE_PARK_NANOS, sequencer);
    private final RecoveryReport recoveryReport;
    private final LiveCatalog catalog;
    private final Checkpointer checkpointer;
    private final java.util.concurrent.ConcurrentLinkedQueue<CompletableFuture<Long>> checkpointWaiters =
        new java.util.concurrent.ConcurrentLinkedQueue<>();
    private volatile AgentHost.Handle checkpointerHandle;
    private long walBytesSinceCheckpoint;
    private long lastCheckpointNanos = System.nanoTime();
    private final DirectoryLock lock;
    private long lastLockCheck = Long.MIN_VALUE / 2;
    private volatile boolean running = true;
    /**
     * The cycle lock: whoever holds it (the sequencer thread, or in OS_BUFFERED and FULL a committing caller, see
     * {@link #runAsCaller}) is the one writer of the store and the WAL. Taken by CAS, released with a release store,
     * so the next holder sees everything the last one wrote.
     */
    @SuppressWarnings("unused") // accessed through CYCLE_OWNED
    private volatile boolean cycleOwned;
    private static final java.lang.invoke.VarHandle CYCLE_OWNED;

    static
    {
        try
        {
            CYCLE_OWNED = java.lang.invoke.MethodHandles.lookup().findVarHandle(CommitEngine.class, "cycleOwned", boolean.class);
        }
        catch (final ReflectiveOperationException ex)
        {
            throw new ExceptionInInitializerError(ex);
        }
    }

    /** The thread that last held the cycle lock (read and written under it). */
    private Thread cycleThread;
    /** Set by {@link #start}: whether a committing caller runs the cycle itself. */
    private volatile boolean callerRuns;
    /** FULL: callers hand off for {@value #CONTENDED_HAND_OFF_NANOS} ns after the cycle was found contended. */
    private volatile boolean handOffWhenContended;
    /** FULL: when a caller last found the cycle lock held, or a batch held more than one waiter (System.nanoTime). */
    private volatile long contendedNanos = System.nanoTime() - Long.MAX_VALUE / 2;
    /** Set when the sequencer has stopped taking requests (after close or an Error). */
    private volatile boolean stopped;
    private volatile AedbException failure;
    private volatile AgentHost.Handle sequencerHandle;
    private AedbException batchFailure;
    private boolean syncRequested;
    private long lastSeq;
    private long firstAwaitNanos;
    private long lastHousekeepingNanos;
    /** Batches run (by the holder of the cycle lock), and the count and time at which the idle sequencer last saw it move. */
    private long batches;
    private long batchesSeen;
    private long lastBatchSeenNanos;
    private boolean housekeepingDue = true;

    private CommitEngine(final CommitSettings config, final Store store, final ChronicleWal wal, final EnvelopeApplier applier,
        final IdempotencyIndex idempotency, final RecoveryReport report, final DirectoryLock lock, final LiveCatalog catalog,
        final Path dataDirectory, final CheckpointRecovery.Loaded loaded)
    {
        this.lock = lock;
        this.catalog = catalog;
        final Path walDirectory = dataDirectory.resolve(WalReplay.WAL_DIRECTORY);
        this.checkpointer = new Checkpointer(dataDirectory, store, config.checkpointsKept(), config.ioFaults(), loaded,
            (cycle, stepwise) -> WalReader.deleteCyclesBelow(walDirectory, cycle, config.ioFaults(), c -> !stepwise || wal.holds(c)),
            this::checkpointFailStop, wal::lastSyncNanos, config.checkpointPacedBytesPerSecond());

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
    }

    /**
     * Recovers the data directory's WAL into the store ({@link WalReplay}), makes what it read durable and recorded
     * in the {@link WalState}, and opens the WAL for appending where the log ends. The sequencer does not run until
     * {@link #start(AgentHost)}.
     *
     * @param catalog the catalog recovery and later commits publish to; readers find their versions there.
     * @param lock the held lock of {@code dataDirectory}; the sequencer checks it before writing (at most every ms).
     * @throws AedbException WAL_CORRUPT or REPLAY_DIVERGENCE when recovery refuses the log, IO_ERROR.
     */
    public static CommitEngine open(final CommitSettings config, final Store store, final LiveCatalog catalog,
        final Path dataDirectory, final DirectoryLock lock)
    {
        return open(config, store, catalog, dataDirectory, lock, CheckpointRecovery.none());
    }

    /**
     * As {@link #open(CommitSettings, Store, LiveCatalog, Path, DirectoryLock)}, after {@code loaded}'s checkpoint was
     * restored into {@code store} and {@code catalog}: replay starts after its seq, at its first WAL cycle.
     */
    public static CommitEngine open(final CommitSettings config, final Store store, final LiveCatalog catalog,
        final Path dataDirectory, final DirectoryLock lock, final CheckpointRecovery.Loaded loaded)
    {
        final EnvelopeApplier applier = new EnvelopeApplier(store, catalog, config);
        final IdempotencyIndex idempotency = new IdempotencyIndex(config.idempotencyWindowCommits());
        if (loaded.hasImage())
        {
            try
            {
                idempotency.restore(loaded.idempotency(), loaded.seq());
            }
            catch (final DecodeException ex)
            {
                throw new AedbException(ErrorCode.CHECKPOINT_CORRUPT, loaded.file() + ": the idempotency section does not decode: "
                    + ex.getMessage(), ex);
            }
        }
        // Size limits are for new commits: the WAL holds what was validly committed, perhaps under higher limits.
        applier.enforceSizeLimits(false);
        final WalReplay.Outcome outcome = new WalReplay(dataDirectory, applier, idempotency, store, config.recoveryMode(),
            new WalReplay.Start(loaded.seq(), loaded.fromCycle())).run();
        applier.enforceSizeLimits(true);
        final Path walDirectory = dataDirectory.resolve(WalReplay.WAL_DIRECTORY);
        // What recovery read becomes the synced state: pages a killed process left unsynced reach the disk first.
        new WalReader(walDirectory, loaded.fromCycle()).fsyncFrom(outcome.rewriteState() ? null : outcome.syncedFile());
        final WalState.Mark last = outcome.last();
        if (outcome.rewriteState())
        {
            WalState.write(dataDirectory, last, last);
        }
        final WalState state = WalState.open(dataDirectory);
        if (!outcome.rewriteState())
        {
            final byte[] file = WalState.nameBytes(last.file());
            state.record(last.commitSeq(), file, last.position(), last.length(), last.crc(), last.commitSeq(), file, last.position(),
                last.length(), last.crc());
        }
        final ChronicleWal wal;
        try
        {
            wal = new ChronicleWal(walDirectory, config.minFreeDiskBytes(), config.ioFaults(), state, outcome.end(), last,
                loaded.fromCycle()).syncPreallocation(config.durability() != Durability.OS_BUFFERED);
        }
        catch (final RuntimeException ex)
        {
            state.close();
            throw ex;
        }
        final List<String> notes = new ArrayList<>(loaded.notes());
        if (loaded.hasImage())
        {
            notes.add("restored checkpoint " + loaded.file().getFileName() + " at seq " + loaded.seq() + " (" + loaded.keys()
                + " keys), then replayed " + outcome.replayed() + " commit(s) from WAL cycle " + loaded.fromCycle() + " on");
        }
        notes.addAll(outcome.notes());
        return new CommitEngine(config, store, wal, applier, idempotency,
            new RecoveryReport(outcome.replayed(), outcome.lastSeq(), outcome.dropped(), List.copyOf(notes)), lock, catalog,
            dataDirectory, loaded);
    }

    /**
     * Starts the sequencer agent on {@code host}: with {@link AgentHost#threads()} on its daemon thread
     * {@value #SEQUENCER_ROLE_NAME}; with {@link AgentHost#invokers()} it does one duty cycle per invoke of
     * {@code host.invoker(SEQUENCER_ROLE_NAME)}, on the invoking thread, which then must not block in {@link #commit}
     * and must be the same thread every time (Chronicle's appender belongs to the first thread that appends). Call
     * once. {@link #close()} stops it.
     */
    public void start(final AgentHost host)
    {
        if (sequencerHandle != null)
        {
            throw new IllegalStateException("sequencer already started");
        }
        callerRuns = host.threaded() && config.durability() != Durability.BATCH;
        handOffWhenContended = config.durability() == Durability.FULL;
        checkpointerHandle = host.start(checkpointer, checkpointer.idleStrategy(), this::onCheckpointerError);
        sequencerHandle = host.start(sequencer, idleStrategy, this::onAgentError);
    }

    /** @return what recovery did. */
    public RecoveryReport recoveryReport()
    {
        return recoveryReport;
    }

    /** @return the failure that stopped the engine, or null. */
    public AedbException failure()
    {
        return failure;
    }

    /** Receives the idempotency records of {@link #visitIdempotencyRecords}. */
    public interface IdempotencyRecordVisitor
    {
        /**
         * One record in force, in ascending seq order.
         *
         * @param callerId    the caller the key belongs to, null = anonymous.
         * @param key         the idempotency key; the index's own array, never to be written.
         * @param fingerprint the request's 16-byte fingerprint; the index's own array, never to be written.
         * @param seq         the commit that used the key.
         */
        void visit(String callerId, byte[] key, byte[] fingerprint, long seq);
    }

    /**
     * Any thread: visits the idempotency records in force at {@code seq}, those of the commits in
     * {@code (seq - idempotencyWindowCommits, seq]}, in ascending seq order. Reads a concurrent history the sequencer
     * keeps for readers (see {@link IdempotencyIndex}), never the sequencer's own lookup map.
     *
     * @param seq a visible seq the caller holds pinned in the store (so it is at or above the effective horizon).
     * @return how many records were visited.
     */
    public long visitIdempotencyRecords(final long seq, final IdempotencyRecordVisitor visitor)
    {
        return idempotency.visit(seq, visitor::visit);
    }

    /**
     * Caller thread: validates the envelope's shape, encodes its WAL frame, queues it and waits for its outcome under
     * the durability mode. The waiting thread is woken by the sequencer itself (no thread hop); in OS_BUFFERED and FULL,
     * with agents on threads, the caller runs the batch itself when no one else is running one (FULL: and no other
     * durable writer was met within {@value #CONTENDED_HAND_OFF_NANOS} ns). An interrupt does not
     * end the wait, because the commit may already be applied: the real outcome is returned or thrown and the
     * interrupt flag is set again before this returns.
     *
     * @return the acknowledged commit.
     * @throws AedbException the rejection (nothing changed), or why the engine could not serve.
     */
    public CommitResult commit(final TransactionEnvelope envelope)
    {
        final PendingCommit p = prepare(envelope, Thread.currentThread());
        if (callerRuns && (!handOffWhenContended || System.nanoTime() - contendedNanos > CONTENDED_HAND_OFF_NANOS))
        {
            enqueue(p, false); // no wake: this caller runs the cycle itself unless someone else holds it
            runAsCaller();
        }
        else
        {
            enqueue(p);
        }
        return p.await(config.durability() == Durability.OS_BUFFERED ? CALLER_SPIN_NANOS : 0);
    }

    /**
     * OS_BUFFERED and FULL, agents on threads: the caller runs the commit cycle itself when no one else is running it (a
     * combining lock), so a commit costs no hand-off to the sequencer thread and back (on 2 vCPUs, two spinning threads
     * were preempted often enough to put p99 at ~100 us). It drains what is queued, its own request and others',
     * exactly as the sequencer would (group commit is the same), then the housekeeping when it is due (every
     * {@value #HOUSEKEEPING_INTERVAL_NANOS} ns at most, as the idle sequencer; a busy caller would otherwise starve
     * it), and wakes the sequencer thread when requests are left.
     * <p>
     * A caller running its own commits can outrun the checkpointer (60 k single-key updates took 0.3-0.8 s instead of
     * 2.5 s): the WAL is bounded by the backpressure of {@link #checkpointBacklog}, applied by whoever holds the lock.
     */
    private void runAsCaller()
    {
        if (Thread.currentThread().isInterrupted())
        {
            // File I/O on an interrupted thread closes the channel (ClosedByInterruptException): the WAL's
            // pre-allocation or Chronicle's own files would be lost to every later commit. Leave it to the sequencer.
            idleStrategy.wake();
            return;
        }
        if (!CYCLE_OWNED.compareAndSet(this, false, true))
        {
            if (handOffWhenContended)
            {
                contendedNanos = System.nanoTime();
            }
            idleStrategy.wake(); // the sequencer (or another caller) holds the cycle: make sure it is not parked
            return;
        }
        try
        {
            if (!stopped && running)
            {
                handOverIfNeeded();
                try
                {
                    batchCycle();
                    final long now = System.nanoTime();
                    if (failure == null && now - lastHousekeepingNanos >= HOUSEKEEPING_INTERVAL_NANOS)
                    {
                        housekeeping(now);
                    }
                }
                catch (final Throwable t)
                {
                    die(t);
                }
            }
        }
        finally
        {
            CYCLE_OWNED.setRelease(this, false);
        }
        if (!ingress.isEmpty())
        {
            idleStrategy.wake();
        }
    }

    /** The cycle lock's holder: the WAL's appender is told when it changes thread. */
    private void handOverIfNeeded()
    {
        final Thread t = Thread.currentThread();
        if (t != cycleThread)
        {
            cycleThread = t;
            wal.handOver();
        }
    }

    /**
     * Caller thread: validates the envelope's shape, encodes its WAL frame and queues it.
     *
     * @return a future completed when the commit is acknowledged under the durability mode, or exceptionally with an
     *         {@link AedbException} when it is rejected. It is completed on an {@code aedb-callbacks-N} thread, never
     *         on the sequencer, so its dependent stages may block or commit again; a blocking stage delays only the
     *         futures of the same group commit behind it. Cancelling or completing it does not affect the commit.
     */
    public CompletableFuture<CommitResult> submit(final TransactionEnvelope envelope)
    {
        return enqueue(prepare(envelope, null));
    }

    private PendingCommit prepare(final TransactionEnvelope envelope, final Thread waiter)
    {
        EnvelopeValidator.validate(envelope, config);
        final int limit = config.maxEnvelopeBytes();
        byte[] fingerprint = null;
        final int hint = EnvelopeCodec.sizeHint(envelope, limit);
        final ByteWriter w = new ByteWriter(FrameDescriptor.HEADER_LENGTH + hint + FrameDescriptor.TRAILER_LENGTH);
        try
        {
            if (envelope.idempotencyKey() != null)
            {
                final ByteWriter request = new ByteWriter(hint).limit(limit);
                EnvelopeCodec.encodeRequest(envelope, request);
                fingerprint = fingerprint(request);
            }
            // The writer stops at the limit, so an envelope of any size costs at most maxEnvelopeBytes to reject.
            w.limit(FrameDescriptor.HEADER_LENGTH + limit + FrameDescriptor.TRAILER_LENGTH);
            w.position(FrameDescriptor.HEADER_LENGTH);
            EnvelopeCodec.encode(envelope, fingerprint, w);
        }
        catch (final ByteWriter.LimitExceededException ex)
        {
            throw new AedbException(ErrorCode.ENVELOPE_TOO_LARGE, "encoded envelope exceeds maxEnvelopeBytes=" + limit);
        }
        final int payloadLength = w.position() - FrameDescriptor.HEADER_LENGTH;
        if (payloadLength > limit)
        {
            throw new AedbException(ErrorCode.ENVELOPE_TOO_LARGE,
                "encoded envelope of " + payloadLength + " bytes exceeds maxEnvelopeBytes=" + limit);
        }
        w.putInt(0);
        // The writer's array as it is, usually a little longer than the frame: the frame's length is its header's,
        // and nothing reads past it (a copy to the exact length cost as much as the encoding).
        return new PendingCommit(PendingCommit.COMMIT, envelope, w.array(), payloadLength, fingerprint, waiter);
    }

    /**
     * Waits until everything committed so far is synced; the wait is as in {@link #commit}.
     *
     * @return a result whose {@code durableHeadSeq} is the durable head after the sync.
     */
    public CommitResult sync()
    {
        return enqueue(new PendingCommit(PendingCommit.SYNC, null, null, 0, null, Thread.currentThread())).await(0);
    }

    private PendingCommit enqueue(final PendingCommit p)
    {
        return enqueue(p, true);
    }

    /** @param wake whether to unpark a parked sequencer (not when the caller is about to run the cycle itself). */
    private PendingCommit enqueue(final PendingCommit p, final boolean wake)
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
        if (wake)
        {
            idleStrategy.wake(); // a parked sequencer wakes now, not at the end of its park
        }
        if (stopped)
        {
            // The sequencer set `stopped` and then read the queue up to its tail (drainAfterStop); our offer moved the
            // tail and then read `stopped`. So either it saw our request, or we see `stopped`, or both: the request is
            // resolved by one of us, never lost. After `stopped` the sequencer only refuses requests, never applies
            // them, so CLOSED / PREVIOUS_FAILURE from either side means "not applied". The first resolve wins.
            final AedbException f2 = failure;
            final AedbException why = f2 != null ? previousFailure(f2) : new AedbException(ErrorCode.CLOSED, "instance is closed");
            if (p.resolve(why) && p.isAsync())
            {
                p.completeFuture(); // the caller's own thread, not the sequencer
            }
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

    // ------------------------------------------------------------------ sequencer agent

    /**
     * The sequencer agent. {@code doWork} is one pass of the commit loop; everything it calls runs on the agent's thread
     * (or the invoking thread), the only writer of the WAL and the store. Fail-stop is its own: any throwable escaping a
     * pass ends the agent through {@link #die} (every request it holds fails) before the runner sees it, so no
     * runner or invoker ever swallows an error and carries on.
     */
    private final class Sequencer implements Agent, WakeableIdleStrategy.Condition
    {
        /**
         * @return the work done (commits drained, a BATCH sync, records swept), 0 when there was nothing to do.
         * @throws AgentTerminationException (expected) once stopped: after {@link #close()} when everything queued is
         *                                   done, or after a failure that stopped the sequencer.
         */
        @Override
        public int doWork()
        {
            if (stopped)
            {
                throw new AgentTerminationException(true); // stopped by a fail-stop in onAgentError
            }
            final int work;
            if (!CYCLE_OWNED.compareAndSet(CommitEngine.this, false, true))
            {
                return 0; // a caller is running a cycle (runAsCaller); it wakes this thread if it leaves requests
            }
            try
            {
                handOverIfNeeded();
                work = dutyCycle();
            }
            catch (final Throwable t)
            {
                die(t);
                throw new AgentTerminationException(t, true);
            }
            finally
            {
                CYCLE_OWNED.setRelease(CommitEngine.this, false);
            }
            if (work == STOP)
            {
                throw new AgentTerminationException(true);
            }
            return work;
        }

        /** After the last duty cycle of a stop: syncs, resolves what is left with CLOSED (nothing after a failure). */
        @Override
        public void onClose()
        {
            if (stopped)
            {
                return; // died: die() already failed everything it held
            }
            // Taken for good: a caller that read `running` before close() flipped it may still try to run a cycle.
            while (!CYCLE_OWNED.compareAndSet(CommitEngine.this, false, true))
            {
                Thread.onSpinWait();
            }
            try
            {
                handOverIfNeeded();
                shutdown();
            }
            catch (final Throwable t)
            {
                die(t);
            }
        }

        @Override
        public String roleName()
        {
            return SEQUENCER_ROLE_NAME;
        }

        /** Before parking: a request queued (read after the idle strategy raised its flag) or a stop asked for. */
        @Override
        public boolean hasWork()
        {
            // checkpointBacklog() reads a counter a caller holding the cycle may be writing: a stale value costs at
            // most one park period (1 ms), after which the next duty cycle decides under the lock
            return !running || (!ingress.isEmpty() && !checkpointBacklog()) || !checkpointWaiters.isEmpty();
        }

        /** A BATCH group commit waiting for its interval bounds the park, so its sync is not late. */
        @Override
        public long parkLimitNanos()
        {
            if (awaiting.isEmpty())
            {
                return Long.MAX_VALUE;
            }
            return Math.max(1_000, firstAwaitNanos + config.batchIntervalMicros() * 1000 - System.nanoTime());
        }
    }

    /**
     * The runner's (or invoker's) error handler: reached only by a throwable that escaped the sequencer's own catch
     * (from die() itself). The engine stops for good, as for an Error inside a duty cycle.
     */
    private void onAgentError(final Throwable t)
    {
        die(t);
    }

    /**
     * One pass of the commit loop.
     *
     * @return the work done, 0 for none, or {@link #STOP} once {@link #close()} asked for a stop and the queue is empty
     *         and no BATCH sync is due (the rest, a sync and CLOSED for what comes later, is {@link #shutdown()}).
     */
    private int dutyCycle()
    {
        final int drained = batchCycle();
        if (drained > 0)
        {
            return drained;
        }
        if (!awaiting.isEmpty() && batchDue())
        {
            finishBatch(true);
            handOverCallbacks();
            return 1;
        }
        if (checkpointBacklog() && !ingress.isEmpty())
        {
            return 0; // not STOP either: what is queued is committed once the checkpoint ends
        }
        if (maybeCheckpoint())
        {
            return 1;
        }
        if (!running)
        {
            return STOP;
        }
        if (failure == null)
        {
            // Once after each batch and at most every 20 us while idle, not on every spin: a commit arriving during
            // the spin is picked up at the next empty drain.
            final long now = System.nanoTime();
            if (housekeepingDue || now - lastHousekeepingNanos >= HOUSEKEEPING_INTERVAL_NANOS)
            {
                final int swept = housekeeping(now);
                if (swept > 0)
                {
                    return swept;
                }
            }
            if (batches != batchesSeen)
            {
                batchesSeen = batches;
                lastBatchSeenNanos = now;
            }
            else if (config.relocateInIdleTime() && now - lastBatchSeenNanos >= RELOCATE_IDLE_NANOS && store.relocationPending())
            {
                return store.relocate(RELOCATE_BUDGET);
            }
        }
        return 0;
    }

    /**
     * Reclaims, prunes the catalog and idempotency history below the horizon, and sweeps up to {@value #SWEEP_BUDGET}
     * records. Run by the holder of the cycle lock: the sequencer when idle, a caller running the cycle
     * ({@link #runAsCaller}) at most every {@value #HOUSEKEEPING_INTERVAL_NANOS} ns, so memory stays bounded while
     * callers keep the lock busy.
     *
     * @return the records swept.
     */
    private int housekeeping(final long now)
    {
        housekeepingDue = false;
        lastHousekeepingNanos = now;
        final long horizon = store.reclaim();
        applier.pruneCatalogHistory(horizon);
        idempotency.pruneHistory(horizon);
        final int swept = store.sweep(SWEEP_BUDGET);
        if (swept > 0)
        {
            housekeepingDue = true; // more may be ready: sweep again next cycle rather than idle
        }
        return swept;
    }

    /**
     * Drains and processes one batch, finishes it (sync per the mode, acknowledgements), reclaims, and captures a
     * checkpoint when one is due; nothing when the queue is empty. Run by the holder of the cycle lock only.
     *
     * @return the requests drained.
     */
    private int batchCycle()
    {
        if (checkpointBacklog())
        {
            return 0;
        }
        final int drained = ingress.drainTo(batch, config.maxGroupCommit());
        if (drained > 0)
        {
            batches++;
            checkLock();
            for (final PendingCommit p : batch)
            {
                process(p);
            }
            batch.clear();
            batchFailure = null;
            finishBatch(false);
            handOverCallbacks();
            store.reclaim();
            housekeepingDue = true;
            maybeCheckpoint(); // under a steady stream of commits too, not only when idle
        }
        return drained;
    }

    /**
     * Backpressure: a checkpoint is due by size while the previous one is still being written, and that one is not
     * keeping up. Commits then wait in the queue (their callers wait as for any commit; {@code QUEUE_FULL} once it is
     * full) until it ends, so the WAL kept stays bounded however fast commits come: without it, what a slow checkpoint
     * let through grew with the commit rate. The trigger follows the newest image; a store growing by inserts writes
     * each checkpoint's image larger than the one whose size set the trigger (1.5 bytes of image per byte of WAL for
     * 16 + 100-byte inserts), and held commits back for up to seconds while a checkpoint that was keeping well ahead of
     * the WAL wrote the difference. So the WAL may pass the trigger by {@code checkpointWalImagePercent} of the record
     * bytes the checkpoint has written beyond the newest image's size: in effect the trigger follows the image being
     * written, and commits wait only when the checkpoint writes its image slower than they write WAL.
     */
    private boolean checkpointBacklog()
    {
        final long trigger = walTrigger();
        if (trigger <= 0 || walBytesSinceCheckpoint < trigger || checkpointer.idle())
        {
            return false;
        }
        return holdsBack(walBytesSinceCheckpoint, trigger, checkpointer.progressBytes(), checkpointer.newestBytes(),
            config.checkpointWalImagePercent());
    }

    /**
     * The backpressure rule of {@link #checkpointBacklog}, for a checkpoint being written.
     *
     * @param walSinceCapture WAL bytes written since that checkpoint's capture.
     * @param trigger         {@link #walTrigger()}, above 0.
     * @param imageWritten    record bytes that checkpoint has written so far.
     * @param newestImage     the newest published image's size in bytes (0: none).
     * @param percent         {@code checkpointWalImagePercent}.
     * @return whether commits wait for it to end.
     */
    static boolean holdsBack(final long walSinceCapture, final long trigger, final long imageWritten,
        final long newestImage, final int percent)
    {
        final long growth = Math.max(0, imageWritten - newestImage);
        final long slack = growth > Long.MAX_VALUE / 10_000 ? Long.MAX_VALUE / 2 : growth * percent / 100;
        return walSinceCapture - trigger >= slack;
    }

    /**
     * The WAL bytes since the last checkpoint that make the next one due: {@code checkpointWalBytes}, or the newest
     * image's size times {@code checkpointWalImagePercent} when that is larger, so that a checkpoint (which writes the
     * whole state) never costs more than its share of the bytes committed; 0 = never by size.
     */
    private long walTrigger()
    {
        final long fixed = config.checkpointWalBytes();
        if (fixed <= 0)
        {
            return 0;
        }
        final long image = checkpointer.newestBytes();
        final int percent = config.checkpointWalImagePercent();
        final long scaled = image > Long.MAX_VALUE / 10_000 ? Long.MAX_VALUE : image * percent / 100;
        return Math.max(fixed, scaled);
    }

    /**
     * Sequencer, between batches: captures the state for a checkpoint when one was asked for, or the WAL written since
     * the last one passed {@code checkpointWalBytes}, or {@code checkpointIntervalMillis} passed with commits since, and
     * the checkpointer is idle. The capture makes everything committed visible ({@link #syncForCheckpoint}), pins a
     * reader slot at the last seq, rolls the WAL to a new cycle file (every commit up to the seq lies in earlier files)
     * and takes the catalog version at it; the checkpointer reads the key spaces and the idempotency records under that
     * pin and writes the image while commits go on.
     *
     * @return whether it captured (or answered waiters with nothing new to capture).
     */
    private boolean maybeCheckpoint()
    {
        if (failure != null || !checkpointer.idle())
        {
            return false;
        }
        final boolean asked = !checkpointWaiters.isEmpty();
        final long trigger = walTrigger();
        final boolean bySize = trigger > 0 && walBytesSinceCheckpoint >= trigger;
        final boolean byTime = config.checkpointIntervalMillis() > 0 && lastSeq > checkpointer.newestSeq()
            && System.nanoTime() - lastCheckpointNanos >= config.checkpointIntervalMillis() * 1_000_000;
        if (!asked && !bySize && !byTime)
        {
            return false;
        }
        final List<CompletableFuture<Long>> waiters = new ArrayList<>();
        for (CompletableFuture<Long> w; (w = checkpointWaiters.poll()) != null; )
        {
            waiters.add(w);
        }
        try
        {
            if (!syncForCheckpoint())
            {
                throw failure;
            }
            if (lastSeq == checkpointer.newestSeq())
            {
                walBytesSinceCheckpoint = 0;
                for (final CompletableFuture<Long> w : waiters)
                {
                    w.complete(lastSeq); // nothing committed since: the newest checkpoint already holds it
                }
                return asked;
            }
            checkpointer.offer(capture(waiters));
        }
        catch (final AedbException ex)
        {
            for (final CompletableFuture<Long> w : waiters)
            {
                w.completeExceptionally(ex);
            }
            lastCheckpointNanos = System.nanoTime(); // not again at once (e.g. every reader slot taken)
            walBytesSinceCheckpoint = 0;
        }
        return true;
    }

    /**
     * Sequencer (or the closing thread): everything committed visible, so the capture's seq is the last one appended
     * (the roll then separates it exactly). FULL: already synced. BATCH: the waiting group commit is synced and
     * acknowledged early. OS_BUFFERED: visible already; not synced here (the image is fsynced itself, and the WAL up
     * to the seq is not read when recovering from it), so a capture costs no msync of up to a trigger's worth of WAL.
     *
     * @return false after a failure.
     */
    private boolean syncForCheckpoint()
    {
        if (!awaiting.isEmpty())
        {
            syncRequested = true;
            finishBatch(true);
            handOverCallbacks();
        }
        else if (store.durableHead() < lastSeq && config.durability() != Durability.OS_BUFFERED)
        {
            try
            {
                wal.sync();
            }
            catch (final Exception ex)
            {
                failStop(new AedbException(ErrorCode.IO_ERROR, "WAL sync before a checkpoint failed: " + ex, ex));
                return false;
            }
            wal.acknowledge(lastSeq, true);
            store.publishDurable(lastSeq);
            store.publishVisible(lastSeq);
        }
        return failure == null;
    }

    private Checkpointer.Capture capture(final List<CompletableFuture<Long>> waiters)
    {
        final long seq = lastSeq;
        final int slot = store.pinAt(seq, () -> { });
        final int fromCycle = wal.roll();
        walBytesSinceCheckpoint = 0;
        lastCheckpointNanos = System.nanoTime();
        // the records in force at seq are read by the checkpointer under its pin (the history is readable by any thread)
        return new Checkpointer.Capture(seq, slot, catalog.at(seq), () -> idempotency.encode(seq), fromCycle, waiters);
    }

    /**
     * Any thread: asks for a checkpoint of everything committed so far.
     *
     * @return completed with the seq the checkpoint holds once it is published (manifest durable, the WAL and images it
     *         retires deleted), or exceptionally with why it failed.
     */
    public CompletableFuture<Long> checkpoint()
    {
        final AedbException f = failure;
        if (f != null)
        {
            return CompletableFuture.failedFuture(previousFailure(f));
        }
        if (!running)
        {
            return CompletableFuture.failedFuture(new AedbException(ErrorCode.CLOSED, "instance is closed"));
        }
        final CompletableFuture<Long> done = new CompletableFuture<>();
        checkpointWaiters.add(done);
        idleStrategy.wake();
        if (stopped || !running)
        {
            // raced with close or a failure: the sequencer may never see it; the first completion wins
            done.completeExceptionally(new AedbException(ErrorCode.CLOSED, "instance is closed"));
        }
        return done;
    }

    /** @return the newest published checkpoint's seq (0 = none). */
    public long newestCheckpointSeq()
    {
        return checkpointer.newestSeq();
    }

    /** @return the newest checkpoint's image file, or null. */
    public Path newestCheckpointFile()
    {
        return checkpointer.newestFile();
    }

    /**
     * Any thread, before it maps a checkpoint image: retention then never truncates it, only unlinks it.
     *
     * @return false when the image is being retired (take the newer one).
     */
    public boolean registerMappedImage(final Path image)
    {
        return checkpointer.registerMapped(image);
    }

    /** @return the last checkpoint this instance published, or null. */
    public Checkpointer.Published lastCheckpoint()
    {
        return checkpointer.lastPublished();
    }

    /** The checkpointer's fsync failed: the engine stops as after a failed WAL sync. */
    private void checkpointFailStop(final AedbException cause)
    {
        failStop(cause);
    }

    private void onCheckpointerError(final Throwable t)
    {
        // A failed checkpoint is reported to its waiters and leaves the previous ones valid; the agent carries on.
        if (t instanceof Error)
        {
            failStop(new AedbException(ErrorCode.INTERNAL_ERROR, "the checkpointer failed: " + t, t));
        }
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

    private boolean batchDue()
    {
        return syncRequested || System.nanoTime() - firstAwaitNanos >= config.batchIntervalMicros() * 1000
            || wal.unsyncedBytes() >= config.batchMaxBytes();
    }

    private void process(final PendingCommit p)
    {
        final AedbException f = failure;
        if (f != null)
        {
            resolve(p, f == batchFailure ? f : previousFailure(f));
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
            final int frameLength = FrameDescriptor.HEADER_LENGTH + p.payloadLength + FrameDescriptor.TRAILER_LENGTH;
            wal.checkFreeSpace(frameLength);
            wal.preallocate(frameLength);
        }
        catch (final AedbException ex)
        {
            resolve(p, ex); // DISK_FULL: nothing written
            return;
        }
        catch (final RuntimeException ex)
        {
            failStop(new AedbException(ErrorCode.IO_ERROR, "WAL space check failed: " + ex, ex));
            resolve(p, failure);
            return;
        }
        try
        {
            if (envelope.idempotencyKey() != null)
            {
                final IdempotencyIndex.Entry seen = idempotency.find(caller, envelope.idempotencyKey(), lastSeq);
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
            resolve(p, ex);
            return;
        }
        catch (final EnvelopeApplier.RollbackFailedException | DecodeException | UncheckedIOException ex)
        {
            // The store is in doubt (a version could not be taken back, or stored bytes do not decode): integrity.
            failStop(new AedbException(ErrorCode.IO_ERROR, "commit failed in the store: " + ex, ex));
            resolve(p, failure);
            return;
        }
        catch (final RuntimeException ex)
        {
            // A defect met by this one envelope; the applier took back everything it wrote, so only it is rejected.
            resolve(p, new AedbException(ErrorCode.INTERNAL_ERROR, "commit rejected, nothing changed: unexpected " + ex, ex));
            return;
        }
        try
        {
            frameView.wrap(p.frame);
            final int length = FrameDescriptor.seal(frameView, p.frame, FrameDescriptor.TYPE_COMMIT, seq,
                System.currentTimeMillis() * 1000, p.payloadLength, crc);
            wal.append(p.frame, length);
            walBytesSinceCheckpoint += length;
        }
        catch (final RuntimeException ex)
        {
            failStop(new AedbException(ErrorCode.IO_ERROR, "WAL append failed: " + ex, ex));
            resolve(p, failure);
            return;
        }
        lastSeq = seq;
        if (store.pendingRetired() > RECLAIM_PENDING_THRESHOLD)
        {
            store.reclaim(); // keep a large group commit from holding a batch worth of garbage
        }
        if (envelope.idempotencyKey() != null)
        {
            idempotency.record(caller, envelope.idempotencyKey(), p.fingerprint, seq, store.effectiveHorizon());
        }
        p.seq = seq;
        await(p);
    }

    /** Sequencer: sets the outcome (waking a blocked caller at once) and queues an async future for completion. */
    private void resolve(final PendingCommit p, final Object outcome)
    {
        if (p.resolve(outcome) && p.isAsync())
        {
            resolvedAsync.add(p);
        }
    }

    /** Sequencer: hands this round's async completions, in order, to one callback task. */
    private void handOverCallbacks()
    {
        final int n = resolvedAsync.size();
        if (n == 0)
        {
            return;
        }
        final PendingCommit[] done = resolvedAsync.toArray(new PendingCommit[n]);
        resolvedAsync.clear();
        callbacks.completeInOrder(done, n);
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
        if (handOffWhenContended && awaiting.size() > 1)
        {
            contendedNanos = System.nanoTime();
        }
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
                    resolve(p, error);
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
            resolve(p, new CommitResult(p.kind == PendingCommit.SYNC ? durable : p.seq, durable, p.duplicate));
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
            resolve(p, closed);
        }
        awaiting.clear();
        drainAfterStop(closed);
        handOverCallbacks();
    }

    /**
     * Sequencer, last act: resolves everything still queued with {@code error}, applying nothing. Reads the queue until
     * its tail, not only until the first empty slot, because a submitter may have taken a slot and not yet written
     * it; a submitter that offers after this read sees {@link #stopped} and resolves its request itself (see enqueue).
     */
    private void drainAfterStop(final AedbException error)
    {
        stopped = true;
        while (!ingress.isEmpty())
        {
            final PendingCommit p = ingress.poll();
            if (p == null)
            {
                Thread.onSpinWait();
                continue;
            }
            resolve(p, error);
        }
    }

    /**
     * Sequencer: an Error (out of memory, stack overflow, a linkage error) or an exception outside any one envelope,
     * escaping a duty cycle (or onClose, or reaching the runner's error handler).
     * The sequencer's state cannot be trusted any more, so the engine stops for good, and every request it holds is
     * failed rather than left waiting forever. A commit already appended to the WAL but not yet acknowledged may be
     * durable; its caller gets the failure, as after a failed sync.
     */
    private void die(final Throwable t)
    {
        try
        {
            failStop(new AedbException(ErrorCode.INTERNAL_ERROR, "the sequencer stopped: " + t
                + "; commits in flight may or may not be written", t));
            final AedbException error = failure;
            for (final PendingCommit p : batch)
            {
                resolve(p, error);
            }
            batch.clear();
            for (final PendingCommit p : awaiting)
            {
                resolve(p, error);
            }
            awaiting.clear();
            drainAfterStop(error);
            try
            {
                handOverCallbacks();
            }
            catch (final Throwable again)
            {
                // No thread for callbacks (the pool cannot start one): complete here. The sequencer is stopping, so
                // a callback can delay no other commit, and any commit it makes fails at once with PREVIOUS_FAILURE.
                for (final PendingCommit p : resolvedAsync)
                {
                    CallbackExecutor.completeOne(p);
                }
                resolvedAsync.clear();
            }
        }
        finally
        {
            stopped = true;
        }
    }

    /**
     * Closing thread, the sequencer stopped: lets the checkpointer finish what it is writing, then (clean close) writes a
     * checkpoint of what was committed since, on this thread, so the next open replays nothing.
     *
     * @return whether the wait was interrupted.
     */
    private boolean closeCheckpointer()
    {
        checkpointer.requestStop();
        final boolean interrupted = checkpointerHandle != null && checkpointerHandle.awaitClosed();
        final AedbException closed = new AedbException(ErrorCode.CLOSED, "instance is closed");
        for (CompletableFuture<Long> w; (w = checkpointWaiters.poll()) != null; )
        {
            w.completeExceptionally(closed);
        }
        if (config.checkpointOnClose() && sequencerHandle != null && failure == null && lastSeq > checkpointer.newestSeq())
        {
            try
            {
                if (syncForCheckpoint())
                {
                    checkpointer.writeNow(capture(List.of()));
                }
            }
            catch (final AedbException ex)
            {
                // Nothing is lost: the WAL holds every commit and the next open replays it from the last checkpoint.
                System.getLogger(CommitEngine.class.getName()).log(System.Logger.Level.WARNING,
                    "checkpoint at close failed, the next open replays the WAL since the last checkpoint: " + ex.getMessage());
            }
        }
        return interrupted;
    }

    /**
     * Stops the sequencer after it has finished what was queued, syncing the WAL first, then closes the WAL. Every
     * request queued before completes (normally, or with CLOSED if the sequencer did not reach it). Waits up to a
     * second for the callbacks of completed async commits; a callback that blocks longer does not hold close() up.
     * Also closes an engine that was never started (an open that failed after recovery). With an invoker the
     * remaining duty cycles run on the calling thread.
     */
    @Override
    public void close()
    {
        running = false;
        idleStrategy.wake();
        boolean interrupted = sequencerHandle != null && sequencerHandle.awaitClosed();
        interrupted |= closeCheckpointer();
        wal.close();
        callbacks.shutdown(CALLBACK_CLOSE_WAIT_NANOS);
        if (interrupted)
        {
            Thread.currentThread().interrupt();
        }
    }
}
