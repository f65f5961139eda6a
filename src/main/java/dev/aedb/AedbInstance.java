package dev.aedb;

import dev.aedb.agent.AgentHost;
import dev.aedb.catalog.CatalogState;
import dev.aedb.catalog.LiveCatalog;
import dev.aedb.checkpoint.CheckpointRecovery;
import dev.aedb.checkpoint.CheckpointView;
import dev.aedb.commit.CommitEngine;
import dev.aedb.commit.RecoveryPlanner;
import dev.aedb.model.AedbException;
import dev.aedb.model.Assertion;
import dev.aedb.model.CallerContext;
import dev.aedb.model.ColumnDef;
import dev.aedb.model.CommitResult;
import dev.aedb.model.ConsistencyMode;
import dev.aedb.model.DdlOperation;
import dev.aedb.model.Durability;
import dev.aedb.model.ErrorCode;
import dev.aedb.model.Expr;
import dev.aedb.model.Mutation;
import dev.aedb.model.PreflightPlan;
import dev.aedb.model.PreflightResult;
import dev.aedb.model.Query;
import dev.aedb.model.QueryOptions;
import dev.aedb.model.QueryPlan;
import dev.aedb.model.QueryResult;
import dev.aedb.model.RecoveryPlan;
import dev.aedb.model.RecoveryReport;
import dev.aedb.model.Row;
import dev.aedb.model.TransactionEnvelope;
import dev.aedb.model.Value;
import dev.aedb.model.WriteWhereResult;
import dev.aedb.query.QueryExecutor;
import dev.aedb.store.ReaderStats;
import dev.aedb.store.Store;
import dev.aedb.wal.DirectoryLock;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

/**
 * An open aedb database: typed tables and a key-value space per {@code project -> scope}, atomic multi-mutation
 * commits through a Chronicle Queue write-ahead log, and lock-free snapshot reads over an off-heap multi-version
 * store.
 * <p>
 * Thread-safety: every method may be called from any number of threads. Writes are serialised by one sequencer
 * thread; reads never block and are never blocked. Durability of an acknowledged commit follows
 * {@link AedbConfig#durability()}.
 * <p>
 * Background work runs as Agrona agents, each on a daemon thread of its own: the sequencer ({@code aedb-sequencer})
 * and the store's preparation of memory ahead of need ({@code aedb-store-prep}). {@link #open} wires the parts,
 * starts the preparation agent, recovers the WAL, and only then starts the sequencer; constructing the parts starts
 * nothing.
 * <p>
 * Data directory layout: {@code LOCK} (exclusive ownership), {@code wal.state} (aedb's record of the last
 * acknowledged and synced WAL frames), {@code wal/} (Chronicle Queue cycle files), {@code store/} (arena segments,
 * rebuilt from the WAL at each open).
 */
public final class AedbInstance implements AutoCloseable
{
    private final AedbConfig config;
    private final Path directory;
    private final DirectoryLock lock;
    private final Store store;
    private final CommitEngine engine;
    private final ReadView reads;
    private final RecoveryReport recoveryReport;
    private volatile boolean closed;

    private CheckpointView checkpointView;
    /** Signs query cursors: random per instance, so a cursor does not outlive the instance that made it. */
    private final byte[] cursorKey = new byte[32];
    private final OptimisticWrites optimistic = new OptimisticWrites(this);
    private ReadView checkpointReads;

    private AedbInstance(final AedbConfig config, final Path directory, final DirectoryLock lock, final Store store,
        final LiveCatalog catalog, final CommitEngine engine)
    {
        this.config = config;
        this.directory = directory;
        this.lock = lock;
        this.store = store;
        this.engine = engine;
        new java.security.SecureRandom().nextBytes(cursorKey);
        this.reads = new InstanceReadView(store, catalog, this::ensureOpen, config.maxSnapshotAgeMillis(), cursorKey);
        this.recoveryReport = engine.recoveryReport();
    }

    /**
     * Opens (creating if needed) the database in {@code directory}, replaying its WAL.
     *
     * @throws AedbException JVM_FLAGS_MISSING when the JVM lacks the flags of {@link JvmFlags}, INVALID_CONFIG,
     *                       DATABASE_LOCKED when another instance holds the directory, WAL_CORRUPT or
     *                       REPLAY_DIVERGENCE when recovery refuses the log.
     */
    public static AedbInstance open(final AedbConfig config, final Path directory)
    {
        return open(config, directory, AgentHost.threads());
    }

    /**
     * Opens as {@link #open(AedbConfig, Path)}, with the background agents run by {@code agents}. Tests pass
     * {@link AgentHost#invokers()} and step the agents through {@code agents.invoker(roleName)}
     * ({@link CommitEngine#SEQUENCER_ROLE_NAME}, {@link Store#PREPARATION_ROLE_NAME}); a sequencer that is not invoked
     * acknowledges nothing, so such a test commits with {@code commitAsync} only.
     */
    static AedbInstance open(final AedbConfig config, final Path directory, final AgentHost agents)
    {
        JvmFlags.check();
        requireArgument(config, "config");
        requireArgument(directory, "directory");
        config.conclude();
        try
        {
            Files.createDirectories(directory);
        }
        catch (final IOException ex)
        {
            throw new AedbException(ErrorCode.IO_ERROR, "cannot create data directory " + directory + ": " + ex.getMessage(), ex);
        }
        return wireRecoverAndStart(config, directory.toAbsolutePath(), agents);
    }

    private static AedbInstance wireRecoverAndStart(final AedbConfig config, final Path directory, final AgentHost agents)
    {
        final DirectoryLock lock = DirectoryLock.acquire(directory);
        Store s = null;
        CommitEngine e = null;
        try
        {
            // Which checkpoint to start from (none for a new database): its segments become the store's first ones.
            final CheckpointRecovery.Loaded loaded = CheckpointRecovery.load(directory, config.recoveryMode(),
                config.verifyCheckpointOnOpen());
            s = new Store(directory.resolve("store"), config.storeSegmentBytes(), config.maxConcurrentSnapshots(),
                config.maxSnapshotAgeNanos(), config.nanoClock(), config.retainedCommits(), loaded.segments(), loaded.recordBytes());
            // Before recovery: replay fills the store as commits do, and its next segments are prepared ahead too.
            s.startPreparation(agents);
            final LiveCatalog catalog = new LiveCatalog();
            loaded.restore(s, catalog);
            e = CommitEngine.open(config.commitSettings(), s, catalog, directory, lock, loaded);
            final AedbInstance db = new AedbInstance(config, directory, lock, s, catalog, e);
            e.start(agents);
            return db;
        }
        catch (final RuntimeException | Error ex)
        {
            if (e != null)
            {
                e.close();
            }
            if (s != null)
            {
                s.close();
            }
            lock.close();
            if (ex instanceof AedbException || ex instanceof Error)
            {
                throw ex;
            }
            throw new AedbException(ErrorCode.IO_ERROR, "cannot open " + directory + ": " + ex, ex);
        }
    }

    /**
     * Works out what opening {@code directory} with {@code config} would do, changing nothing: which checkpoint it
     * starts from and what of it is checked, which WAL files and commits it replays, and any damage it would meet with
     * what {@link AedbConfig#recoveryMode()} does about it. Holds the directory's lock while it reads, so no instance
     * writes meanwhile.
     *
     * @throws AedbException INVALID_ARGUMENT when {@code directory} is not a directory, DATABASE_LOCKED when an instance
     *                       has it open, INVALID_CONFIG, IO_ERROR.
     */
    public static RecoveryPlan recoveryPlan(final AedbConfig config, final Path directory)
    {
        requireArgument(config, "config");
        requireArgument(directory, "directory");
        config.conclude();
        if (!Files.isDirectory(directory))
        {
            throw new AedbException(ErrorCode.INVALID_ARGUMENT, directory + " is not a directory");
        }
        final Path dir = directory.toAbsolutePath();
        try (DirectoryLock lock = DirectoryLock.acquire(dir))
        {
            return RecoveryPlanner.plan(dir, config.recoveryMode(), config.verifyCheckpointOnOpen());
        }
    }

    /** Opens with the default configuration, as {@link #open(AedbConfig, Path)}. */
    public static AedbInstance open(final Path directory)
    {
        return open(new AedbConfig(), directory);
    }

    /**
     * Writes a checkpoint of everything committed so far and waits for it: the state at the returned seq is written to
     * an image in {@code checkpoints/} (fsynced, renamed into place), a new manifest names it, and checkpoints beyond
     * {@link AedbConfig#checkpointsKept()} and the WAL files no kept checkpoint needs are deleted. Commits go on
     * meanwhile (the image is read at a pinned snapshot). With nothing committed since the newest checkpoint, returns
     * its seq at once.
     *
     * @return the seq the checkpoint holds.
     * @throws AedbException DISK_FULL or IO_ERROR when writing it failed (the previous checkpoints stay valid and
     *                       commits go on; a failed fsync stops the engine), CLOSED, PREVIOUS_FAILURE.
     */
    public long checkpointNow()
    {
        ensureOpen();
        final java.util.concurrent.CompletableFuture<Long> f = engine.checkpoint();
        boolean interrupted = false;
        try
        {
            while (true)
            {
                try
                {
                    return f.get();
                }
                catch (final InterruptedException ex)
                {
                    interrupted = true; // the checkpoint goes on; wait for its outcome as a commit does
                }
                catch (final java.util.concurrent.ExecutionException ex)
                {
                    if (ex.getCause() instanceof AedbException a)
                    {
                        throw new AedbException(a.code(), a.getMessage(), a);
                    }
                    throw new AedbException(ErrorCode.INTERNAL_ERROR, "checkpoint failed: " + ex.getCause(), ex.getCause());
                }
            }
        }
        finally
        {
            if (interrupted)
            {
                Thread.currentThread().interrupt();
            }
        }
    }

    /** Tests with invoked agents: the checkpoint request as a future (see {@link #checkpointNow()}). */
    java.util.concurrent.CompletableFuture<Long> checkpointAsync()
    {
        ensureOpen();
        return engine.checkpoint();
    }

    /** @return the seq of the newest checkpoint on disk (0 = none yet). */
    public long newestCheckpointSeq()
    {
        return engine.newestCheckpointSeq();
    }

    /** @return what recovery did when this instance opened. */
    public RecoveryReport recoveryReport()
    {
        return recoveryReport;
    }

    /** @return the data directory. */
    public Path directory()
    {
        return directory;
    }

    /** @return the configuration in force. */
    public AedbConfig config()
    {
        return config;
    }

    private void ensureOpen()
    {
        if (closed)
        {
            throw new AedbException(ErrorCode.CLOSED, "instance is closed");
        }
        final AedbException failure = engine.failure();
        if (failure != null)
        {
            throw new AedbException(ErrorCode.PREVIOUS_FAILURE,
                "the instance stopped after an earlier failure (" + failure.getMessage() + "); reopen it", failure);
        }
    }

    // ------------------------------------------------------------------ commits

    /**
     * Commits an envelope and waits for its acknowledgement under the configured durability.
     * <p>
     * Interrupts: the wait is not cut short by an interrupt, because the commit may already be applied. The call
     * returns (or throws) the commit's real outcome and sets the thread's interrupt flag again, so an interrupted
     * caller learns both; {@link ErrorCode#INTERRUPTED} is never thrown for a commit.
     *
     * @param envelope the envelope; not null.
     * @return the commit's seq and the durable head.
     * @throws AedbException when the envelope is rejected (nothing changed) or the instance cannot serve.
     */
    public CommitResult commit(final TransactionEnvelope envelope)
    {
        ensureOpen();
        return engine.commit(envelope);
    }

    /**
     * Commits one mutation in its own envelope, as {@link #commit(TransactionEnvelope)}.
     *
     * @param mutation the change; not null.
     */
    public CommitResult commit(final Mutation mutation)
    {
        return commit(TransactionEnvelope.of(requireArgument(mutation, "mutation")));
    }

    /**
     * Commits one mutation as {@code caller}, as {@link #commit(TransactionEnvelope)}.
     *
     * @param caller   who commits; null = anonymous.
     * @param mutation the change; not null.
     */
    public CommitResult commitAs(final CallerContext caller, final Mutation mutation)
    {
        return commit(new TransactionEnvelope(caller, null, List.of(), List.of(requireArgument(mutation, "mutation"))));
    }

    /**
     * Queues an envelope. Shape errors (null or empty envelope, bad identifier, size limits) throw at once; state
     * errors complete the future exceptionally with an {@link AedbException}.
     * <p>
     * The future is completed on an {@code aedb-callbacks-N} daemon thread, never on the sequencer: its dependent
     * stages ({@code thenApply}, {@code thenRun}, ...) may block or commit again without stalling other commits. A
     * stage that blocks delays only the futures of the same group commit behind it. Futures of one group commit
     * complete in commit order; futures of different group commits may complete in any order. Cancelling or
     * completing the returned future does not affect the commit. After {@link #close()} every future of a commit
     * submitted before it is complete, or will be once the callbacks ahead of it have returned. For one commit at a
     * time prefer {@link #commit(TransactionEnvelope)}: it is woken by the sequencer directly, while a future is
     * completed one thread hand-off later.
     *
     * @param envelope the envelope; not null.
     * @return a future of the commit's result.
     */
    public CompletableFuture<CommitResult> commitAsync(final TransactionEnvelope envelope)
    {
        ensureOpen();
        return engine.submit(envelope);
    }

    /**
     * Makes everything committed so far durable (useful under {@link Durability#OS_BUFFERED}). Interrupts are
     * handled as in {@link #commit(TransactionEnvelope)}.
     *
     * @return the durable head after the sync.
     */
    public long sync()
    {
        ensureOpen();
        return engine.sync().durableHeadSeq();
    }

    /**
     * @return {@code value}.
     * @throws AedbException INVALID_ARGUMENT naming the parameter when it is null.
     */
    static <T> T requireArgument(final T value, final String name)
    {
        if (value == null)
        {
            throw new AedbException(ErrorCode.INVALID_ARGUMENT, name + "=null");
        }
        return value;
    }

    // ------------------------------------------------------------------ DDL helpers

    /** Creates a project and its default scope {@code app}; succeeds without change when it exists. */
    public CommitResult createProject(final String projectId)
    {
        return commit(new Mutation.Ddl(new DdlOperation.CreateProject(projectId, null, true)));
    }

    /** Drops a project and all its data; succeeds without change when it does not exist. */
    public CommitResult dropProject(final String projectId)
    {
        return commit(new Mutation.Ddl(new DdlOperation.DropProject(projectId, true)));
    }

    /** Creates a scope; succeeds without change when it exists. */
    public CommitResult createScope(final String projectId, final String scopeId)
    {
        return commit(new Mutation.Ddl(new DdlOperation.CreateScope(projectId, scopeId, null, true)));
    }

    /** Drops a scope and all its data; succeeds without change when it does not exist. */
    public CommitResult dropScope(final String projectId, final String scopeId)
    {
        return commit(new Mutation.Ddl(new DdlOperation.DropScope(projectId, scopeId, true)));
    }

    /** Creates a table; TABLE_EXISTS when it exists. Every argument is required. */
    public CommitResult createTable(final String projectId, final String scopeId, final String table, final List<ColumnDef> columns,
        final List<String> primaryKey)
    {
        requireArgument(table, "table");
        return commit(new Mutation.Ddl(new DdlOperation.CreateTable(projectId, scopeId, table, null, columns, primaryKey)));
    }

    // ------------------------------------------------------------------ reads

    /** @return the visible and durable heads. */
    public HeadState headState()
    {
        ensureOpen();
        return new HeadState(store.visibleHead(), store.durableHead());
    }

    /**
     * Pins a snapshot for several consistent reads. Close it promptly: a pinned snapshot holds back reclamation
     * of the versions it can see (one version per key, however many commits follow), and occupies one of
     * {@link AedbConfig#maxConcurrentSnapshots()} slots. A snapshot that is never closed gives its slot back once it is
     * garbage collected; one older than {@link AedbConfig#maxSnapshotAgeMillis()} fails its reads with
     * SNAPSHOT_EXPIRED and stops holding back reclamation (see {@link Snapshot}).
     *
     * @param mode which snapshot; null = {@link ConsistencyMode#AT_LATEST}.
     * @throws AedbException SNAPSHOT_LIMIT when every slot is in use, SNAPSHOT_EXPIRED for an {@code AtSeq} below the
     *                       oldest readable seq, SEQ_NOT_VISIBLE for one above the visible head.
     */
    public Snapshot snapshot(final ConsistencyMode mode)
    {
        return snapshotAs(null, mode);
    }

    /**
     * As {@link #snapshot(ConsistencyMode)}, reading as {@code caller} (null = anonymous). Every read path goes
     * through a snapshot, so the caller travels with each read.
     */
    public Snapshot snapshotAs(final CallerContext caller, final ConsistencyMode mode)
    {
        ensureOpen();
        final ConsistencyMode m = mode == null ? ConsistencyMode.AT_LATEST : mode;
        final ReadView view = viewFor(m);
        return Snapshot.held(view, caller, view.pin(m));
    }

    /** A snapshot for one read inside this class, closed by its try-with-resources. */
    private Snapshot oneShot(final ConsistencyMode mode)
    {
        final ConsistencyMode m = mode == null ? ConsistencyMode.AT_LATEST : mode;
        final ReadView view = viewFor(m);
        return Snapshot.oneShot(view, null, view.pin(m));
    }

    /**
     * The live store, or for {@code AT_CHECKPOINT} (and an {@code AtSeq} of exactly the newest checkpoint's seq, older
     * than the live store keeps) the newest checkpoint's image, opened read-only on first use and kept until a newer
     * checkpoint replaces it.
     */
    private ReadView viewFor(final ConsistencyMode mode)
    {
        if (mode instanceof ConsistencyMode.AtCheckpoint)
        {
            return checkpointView();
        }
        if (mode instanceof ConsistencyMode.AtSeq at && at.seq() < store.oldestReadableSeq() && at.seq() == engine.newestCheckpointSeq())
        {
            return checkpointView();
        }
        return reads;
    }

    private ReadView checkpointView()
    {
        ensureOpen();
        for (int attempt = 0; ; attempt++)
        {
            final java.nio.file.Path file = engine.newestCheckpointFile();
            if (file == null)
            {
                throw new AedbException(ErrorCode.NO_CHECKPOINT, "no checkpoint yet in " + directory
                    + ": AT_CHECKPOINT reads the newest one (checkpointNow() writes one)");
            }
            synchronized (this)
            {
                if (checkpointView != null && checkpointView.file().equals(file))
                {
                    return checkpointReads;
                }
                if (!engine.registerMappedImage(file))
                {
                    continue; // being retired: a newer checkpoint was published meanwhile
                }
                try
                {
                    final CheckpointView view = CheckpointView.open(file, config.maxConcurrentSnapshots(),
                        config.maxSnapshotAgeNanos(), config.nanoClock());
                    checkpointView = view;
                    checkpointReads = new InstanceReadView(view.store(), view.catalog(), this::ensureOpen,
                        config.maxSnapshotAgeMillis(), cursorKey);
                    return checkpointReads;
                }
                catch (final AedbException ex)
                {
                    // retention may have deleted it after a newer checkpoint was published: take the newer one
                    if (attempt > 0 || java.nio.file.Files.exists(file) || file.equals(engine.newestCheckpointFile()))
                    {
                        throw ex;
                    }
                }
            }
        }
    }

    /** @return the catalog version visible at a pinned {@code seq} (for tests in this package). */
    CatalogState catalogAt(final long seq)
    {
        return reads.catalogAt(seq);
    }

    /** Reads a row by primary key at the latest snapshot, as {@link Snapshot#get}. */
    public RowResult get(final String projectId, final String scopeId, final String table, final List<Value> primaryKey)
    {
        return get(projectId, scopeId, table, primaryKey, ConsistencyMode.AT_LATEST);
    }

    /** Reads a row by primary key, as {@link Snapshot#get}; {@code mode} null = AT_LATEST. */
    public RowResult get(final String projectId, final String scopeId, final String table, final List<Value> primaryKey,
        final ConsistencyMode mode)
    {
        try (Snapshot s = oneShot(mode))
        {
            return s.get(projectId, scopeId, table, primaryKey);
        }
    }

    /** Reads a KV key at the latest snapshot, as {@link Snapshot#kvGet}. */
    public KvGetResult kvGet(final String projectId, final String scopeId, final byte[] key)
    {
        return kvGet(projectId, scopeId, key, ConsistencyMode.AT_LATEST);
    }

    /** Reads a KV key, as {@link Snapshot#kvGet}; {@code mode} null = AT_LATEST. */
    public KvGetResult kvGet(final String projectId, final String scopeId, final byte[] key, final ConsistencyMode mode)
    {
        if (mode == null || mode == ConsistencyMode.AT_LATEST)
        {
            // the common read without a Snapshot object: the same pin, checks and read (allocates the value and the result)
            requireArgument(projectId, "projectId");
            requireArgument(scopeId, "scopeId");
            requireArgument(key, "key");
            final int slot = reads.pin(ConsistencyMode.AT_LATEST); // checks that the instance is open, after the claim
            try
            {
                final long seq = reads.pinnedSeq(slot);
                return Reads.kvGet(reads.catalogAt(seq), seq, projectId, scopeId, key);
            }
            finally
            {
                reads.unpin(slot);
            }
        }
        try (Snapshot s = oneShot(mode))
        {
            return s.kvGet(projectId, scopeId, key);
        }
    }

    /**
     * Scans KV keys starting with {@code prefix} in ascending unsigned byte order. With a cursor from a previous
     * page the scan resumes after it, at the cursor's snapshot (the mode is then ignored).
     *
     * @param prefix not null.
     * @param limit  most entries in the page, > 0 (Integer.MAX_VALUE = all).
     * @param cursor null = the first page.
     * @param mode   null = AT_LATEST.
     * @throws AedbException INVALID_ARGUMENT naming a null argument or for a limit below 1.
     */
    public KvScanResult kvScanPrefix(final String projectId, final String scopeId, final byte[] prefix, final int limit,
        final ScanCursor cursor, final ConsistencyMode mode)
    {
        if (prefix == null)
        {
            throw new AedbException(ErrorCode.INVALID_ARGUMENT, "prefix=null");
        }
        return kvScanRange(projectId, scopeId, prefix, Reads.prefixEnd(prefix), limit, cursor, mode);
    }

    /**
     * Scans KV keys in {@code [start, end)} (null = unbounded) in ascending unsigned byte order; see
     * {@link #kvScanPrefix} for the limit, cursors and mode.
     */
    public KvScanResult kvScanRange(final String projectId, final String scopeId, final byte[] start, final byte[] end,
        final int limit, final ScanCursor cursor, final ConsistencyMode mode)
    {
        if (cursor == null && (mode == null || mode == ConsistencyMode.AT_LATEST))
        {
            // a first page at the latest snapshot without a Snapshot object, as kvGet
            requireArgument(projectId, "projectId");
            requireArgument(scopeId, "scopeId");
            final int slot = reads.pin(ConsistencyMode.AT_LATEST);
            try
            {
                final long seq = reads.pinnedSeq(slot);
                return Reads.kvScan(reads.catalogAt(seq).scope(projectId, scopeId).kv(), seq, start, false, end, limit);
            }
            finally
            {
                reads.unpin(slot);
            }
        }
        try (Snapshot s = oneShot(cursor != null ? ConsistencyMode.atSeq(cursor.snapshotSeq()) : mode))
        {
            return s.kvScanRange(projectId, scopeId, start, end, limit, cursor);
        }
    }

    /**
     * Scans a table in primary-key order, a page of at most {@code limit} rows (> 0, Integer.MAX_VALUE = all); see
     * {@link #kvScanPrefix} for cursors and mode.
     */
    public TableScanResult scanTable(final String projectId, final String scopeId, final String table, final int limit,
        final ScanCursor cursor, final ConsistencyMode mode)
    {
        try (Snapshot s = oneShot(cursor != null ? ConsistencyMode.atSeq(cursor.snapshotSeq()) : mode))
        {
            return s.scanTable(projectId, scopeId, table, limit, cursor);
        }
    }

    /** Runs a query at the latest snapshot, as {@link Snapshot#query}. */
    public QueryResult query(final String projectId, final String scopeId, final Query query)
    {
        return query(projectId, scopeId, query, QueryOptions.defaults());
    }

    /**
     * Runs a query at the options' consistency, as {@link Snapshot#query}.
     *
     * @param options not null ({@link QueryOptions#defaults()}).
     */
    public QueryResult query(final String projectId, final String scopeId, final Query query, final QueryOptions options)
    {
        requireArgument(options, "options");
        final ConsistencyMode mode = options.cursor() == null ? options.consistency()
            : ConsistencyMode.atSeq(QueryExecutor.cursorSeq(options.cursor(), cursorKey));
        try (Snapshot s = oneShot(mode))
        {
            return s.query(projectId, scopeId, query, options);
        }
    }

    /**
     * What a row or KV mutation would do if committed now: the error it would meet (validation and conflict errors:
     * a missing table or row, a type, a duplicate key, a unique index), or how many rows or pairs it would write or
     * delete. Advisory: read at the latest snapshot, so the commit may still meet another outcome; size limits and
     * counter overflow are checked only by the commit.
     *
     * @param mutation not null; a DDL mutation gives {@code INVALID_ARGUMENT} in the result.
     * @return the outcome, with the snapshot seq it was read at.
     * @throws AedbException INVALID_ARGUMENT for null; CLOSED; integrity errors are thrown, not returned.
     */
    public PreflightResult preflight(final Mutation mutation)
    {
        requireArgument(mutation, "mutation");
        return optimistic.preflight(mutation);
    }

    /**
     * Reads, at the latest snapshot, the version of every row and KV key the mutations write (0: absent), for
     * {@link #commitWithPreflight}.
     *
     * @param mutations row and KV mutations; not null, no null, no DDL (INVALID_ARGUMENT).
     * @return the read set, its seq and the mutations.
     * @throws AedbException INVALID_ARGUMENT; TABLE_NOT_FOUND and the like for a key that cannot be read.
     */
    public PreflightPlan preflightPlan(final List<Mutation> mutations)
    {
        requireArgument(mutations, "mutations");
        return optimistic.preflightPlan(mutations);
    }

    /**
     * Commits a plan's mutations in one envelope with its read set as version assertions: applied only if no row or
     * key read has changed since the plan's seq.
     *
     * @param plan not null.
     * @return the commit.
     * @throws AedbException CONFLICT when something read has changed (nothing applied); any error of {@link #commit}.
     */
    public CommitResult commitWithPreflight(final PreflightPlan plan)
    {
        requireArgument(plan, "plan");
        return optimistic.conditional(plan.readSet(), plan.mutations(), "a row or key read at seq " + plan.baseSeq());
    }

    /**
     * Sets a KV key to {@code value} only if its version is still {@code expectedSeq} (a {@link KvGetResult#version()};
     * 0 = the key must be absent).
     *
     * @return the commit.
     * @throws AedbException CONFLICT when the key's version differs (nothing applied); INVALID_ARGUMENT for null; any
     *                       error of {@link #commit}.
     */
    public CommitResult kvCompareAndSwap(final String projectId, final String scopeId, final byte[] key, final long expectedSeq,
        final byte[] value)
    {
        requireArgument(projectId, "projectId");
        requireArgument(scopeId, "scopeId");
        requireArgument(key, "key");
        requireArgument(value, "value");
        return optimistic.conditional(List.of(new Assertion.KeyVersion(projectId, scopeId, key, expectedSeq)),
            List.of(new Mutation.KvSet(projectId, scopeId, key, value)), "the key");
    }

    /**
     * Writes {@code row} (an upsert) only if the row's version is still {@code expectedSeq} (a {@link RowResult#version()};
     * 0 = the row must be absent).
     *
     * @return the commit.
     * @throws AedbException CONFLICT when the row's version differs (nothing applied); INVALID_ARGUMENT for null; any
     *                       error of {@link #commit}.
     */
    public CommitResult compareAndSwapRow(final String projectId, final String scopeId, final String table, final List<Value> primaryKey,
        final long expectedSeq, final Row row)
    {
        requireArgument(projectId, "projectId");
        requireArgument(scopeId, "scopeId");
        requireArgument(table, "table");
        requireArgument(primaryKey, "primaryKey");
        requireArgument(row, "row");
        return optimistic.conditional(List.of(new Assertion.RowVersion(projectId, scopeId, table, primaryKey, expectedSeq)),
            List.of(new Mutation.Upsert(projectId, scopeId, table, primaryKey, row)), "the row");
    }

    /**
     * Sets {@code fields} on at most {@code limit} rows the predicate selects (a query at the latest snapshot, in its
     * plan's order), in one envelope conditional on each of those rows being unchanged.
     *
     * @param where  the predicate; not null.
     * @param fields column -> value; not null.
     * @param limit  most rows, >= 1 (and within maxMutationsPerEnvelope).
     * @return the rows updated and the commit's seq (0 rows: no commit).
     * @throws AedbException CONFLICT when a selected row changed first (nothing applied; run it again); the query's
     *                       and the commit's errors.
     */
    public WriteWhereResult updateWhere(final String projectId, final String scopeId, final String table, final Expr where,
        final Map<String, Value> fields, final int limit)
    {
        requireArgument(projectId, "projectId");
        requireArgument(scopeId, "scopeId");
        requireArgument(table, "table");
        requireArgument(where, "where");
        requireArgument(fields, "fields");
        return optimistic.writeWhere(projectId, scopeId, table, where, fields, limit);
    }

    /**
     * Deletes at most {@code limit} rows the predicate selects, as {@link #updateWhere} does.
     *
     * @return the rows deleted and the commit's seq (0 rows: no commit).
     * @throws AedbException as {@link #updateWhere}.
     */
    public WriteWhereResult deleteWhere(final String projectId, final String scopeId, final String table, final Expr where,
        final int limit)
    {
        requireArgument(projectId, "projectId");
        requireArgument(scopeId, "scopeId");
        requireArgument(table, "table");
        requireArgument(where, "where");
        return optimistic.writeWhere(projectId, scopeId, table, where, null, limit);
    }

    /** Plans a query at the latest snapshot without running it, as {@link Snapshot#explain}. */
    public QueryPlan explain(final String projectId, final String scopeId, final Query query)
    {
        return explain(projectId, scopeId, query, QueryOptions.defaults());
    }

    /**
     * Plans a query at the options' consistency without running it, as {@link Snapshot#explain}.
     *
     * @param options not null ({@link QueryOptions#defaults()}).
     */
    public QueryPlan explain(final String projectId, final String scopeId, final Query query, final QueryOptions options)
    {
        requireArgument(options, "options");
        try (Snapshot s = oneShot(options.consistency()))
        {
            return s.explain(projectId, scopeId, query, options);
        }
    }

    /**
     * @return a handle for zero-allocation reads of one scope's KV space. Resolved again at each read, so it stays
     *         valid (and fails with SCOPE_NOT_FOUND) if the scope is dropped.
     */
    public KvHandle kvHandle(final String projectId, final String scopeId)
    {
        ensureOpen();
        requireArgument(projectId, "projectId");
        requireArgument(scopeId, "scopeId");
        return new KvHandle(reads, projectId, scopeId);
    }

    /** @return a handle for zero-allocation reads of one table; resolved again at each read, as {@link #kvHandle}. */
    public TableHandle tableHandle(final String projectId, final String scopeId, final String table)
    {
        ensureOpen();
        requireArgument(projectId, "projectId");
        requireArgument(scopeId, "scopeId");
        requireArgument(table, "table");
        return new TableHandle(reads, projectId, scopeId, table);
    }

    // ------------------------------------------------------------------ state digest

    /**
     * The canonical digest of the whole database state at the visible head, as {@link #stateDigest(long)}.
     *
     * @throws AedbException CLOSED, PREVIOUS_FAILURE or SNAPSHOT_LIMIT.
     */
    public StateDigest stateDigest()
    {
        return digestAndUnpin(reads.pin(ConsistencyMode.AT_LATEST));
    }

    /**
     * The canonical digest of the whole database state at commit {@code seq}: the catalog (projects, scopes, tables
     * with their schemas and ids), every live KV pair and row with the seq of its version, and the idempotency
     * records in force at {@code seq}; the byte form is in docs/design.md, section 6 "State digest". Equal states give
     * equal digests whatever history reached them, so an instance, the same directory reopened (WAL replay) and
     * another instance fed the same envelopes agree at every seq. The idempotency records depend on
     * {@link AedbConfig#idempotencyWindowCommits()}: compare digests of instances configured alike.
     * <p>
     * Cost: one walk of all data live at {@code seq}, on the calling thread, streamed into SHA-256: time grows with the
     * keys and rows (including keys live only at other seqs), heap use does not. Safe from any thread, concurrently
     * with commits; it holds one reader slot for the walk, like a scan, so trimming waits for it as for any read.
     *
     * @param seq a visible commit seq still readable: at or above the oldest readable seq, the visible head minus
     *            {@link AedbConfig#retainedCommits()} (as for {@link ConsistencyMode.AtSeq} reads).
     * @return the digest, its seq and the counts of what it covers.
     * @throws AedbException INVALID_ARGUMENT for a negative seq, SEQ_NOT_VISIBLE above the visible head,
     *                       SNAPSHOT_EXPIRED below the oldest readable seq, SNAPSHOT_LIMIT, CLOSED, PREVIOUS_FAILURE.
     */
    public StateDigest stateDigest(final long seq)
    {
        return digestAndUnpin(reads.pin(ConsistencyMode.atSeq(seq)));
    }

    private StateDigest digestAndUnpin(final int slot)
    {
        try
        {
            final long seq = reads.pinnedSeq(slot);
            return StateDigester.digest(reads.catalogAt(seq), seq, engine);
        }
        finally
        {
            reads.unpin(slot);
        }
    }

    /** @return store statistics: arena bytes allocated, free-listed, and on disk. */
    public StoreStats storeStats()
    {
        ensureOpen();
        return new StoreStats(store.allocatedBytes(), store.freeBytes(), store.fileBytes());
    }

    /**
     * The reader slots in use right now: open snapshots, their oldest age, the oldest pinned seq. Cheap (one scan of
     * {@link AedbConfig#maxConcurrentSnapshots()} slots, no allocation beyond the result) and safe from any thread; meant
     * for metrics and leak checks.
     *
     * @throws AedbException CLOSED or PREVIOUS_FAILURE when the instance cannot serve.
     */
    public SnapshotStats snapshotStats()
    {
        ensureOpen();
        final ReaderStats stats = store.readerStats();
        return new SnapshotStats(stats.snapshots(), stats.reads(), stats.expired(), stats.oldestAgeNanos() / 1_000_000,
            stats.oldestPinnedSeq(), store.readerCapacity());
    }

    /**
     * @param allocatedBytes bytes in live blocks (rows, values, keys, versions not yet reclaimed).
     * @param freeBytes      bytes in freed blocks awaiting reuse.
     * @param fileBytes      bytes of store segment files on disk.
     */
    public record StoreStats(long allocatedBytes, long freeBytes, long fileBytes)
    {
    }

    /**
     * Finishes queued commits, syncs the WAL and releases the directory. Idempotent. Open snapshots and handles
     * become unusable.
     */
    @Override
    public void close()
    {
        if (closed)
        {
            return;
        }
        closed = true;
        try
        {
            engine.close();
        }
        finally
        {
            try
            {
                waitForReaders();
                store.close(store.readingCount() == 0);
            }
            finally
            {
                lock.close();
            }
        }
    }

    private void waitForReaders()
    {
        // A reader that claimed its slot before `closed` was set may still be walking the store. Give such reads a
        // moment to leave; if one stays, the store is closed without unmapping (the mapping then lives until the JVM
        // collects it), because unmapping under a reader would crash the JVM. An open snapshot between reads holds
        // no pointer into the store, and its next read sees `closed` after marking its slot busy, so it is not waited for.
        final long deadline = System.nanoTime() + 1_000_000_000L;
        while (store.readingCount() > 0 && System.nanoTime() < deadline)
        {
            Thread.yield();
        }
    }
}
