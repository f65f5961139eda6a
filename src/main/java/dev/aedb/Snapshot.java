package dev.aedb;

import dev.aedb.catalog.CatalogState;
import dev.aedb.catalog.TableSchema;
import dev.aedb.model.AedbException;
import dev.aedb.model.CallerContext;
import dev.aedb.model.ErrorCode;
import dev.aedb.model.Query;
import dev.aedb.model.QueryOptions;
import dev.aedb.model.QueryPlan;
import dev.aedb.model.QueryResult;
import dev.aedb.model.Value;
import dev.aedb.query.QueryExecutor;
import dev.aedb.store.KeySpace;
import dev.aedb.store.PinnedSlot;

import java.lang.ref.Cleaner;
import java.lang.ref.Reference;
import java.util.List;

/**
 * A pinned snapshot: every read through it sees exactly the state after commit {@link #seq()}, whatever commits
 * after. Close it promptly (see {@link AedbInstance#snapshot}).
 * <p>
 * Lifetime: it holds one reader slot until {@link #close()}. One that becomes unreachable unclosed gives its slot
 * back when the garbage collector finds it (a {@link Cleaner}), so leaked snapshots do not exhaust the slots for good.
 * One older than {@link AedbConfig#maxSnapshotAgeMillis()} fails every read with {@link ErrorCode#SNAPSHOT_EXPIRED}
 * (the first such read releases the slot), and from that age on, between reads, it no longer holds back the
 * reclamation of old versions. A read in progress is never cut short by its age.
 * <p>
 * Thread-safety: reads may run concurrently from several threads; {@link #close()} while another thread reads
 * releases the slot when that read finishes.
 */
public final class Snapshot implements AutoCloseable
{
    private final ReadView db;
    private final CallerContext caller;
    private final long seq;
    private final int slot;
    private final PinnedSlot pin;
    private final Cleaner.Cleanable cleanable;
    private volatile boolean closed;

    private Snapshot(final ReadView db, final CallerContext caller, final int slot, final boolean held)
    {
        this.db = db;
        this.caller = caller;
        this.slot = slot;
        this.seq = db.pinnedSeq(slot);
        this.pin = held ? db.hold(slot) : null;
        // The action is the PinnedSlot, which knows the registry and the slot but not this snapshot.
        this.cleanable = held ? SnapshotCleaner.CLEANER.register(this, pin) : null;
    }

    /** A snapshot the caller holds: expirable, released by {@link #close()} or when collected. */
    static Snapshot held(final ReadView db, final CallerContext caller, final int slot)
    {
        return new Snapshot(db, caller, slot, true);
    }

    /** A one-shot read's snapshot, closed by the instance's own try-with-resources: no age limit, no Cleaner. */
    static Snapshot oneShot(final ReadView db, final CallerContext caller, final int slot)
    {
        return new Snapshot(db, caller, slot, false);
    }

    /** @return who reads through this snapshot; null = anonymous. Permission checks will key off it. */
    public CallerContext caller()
    {
        return caller;
    }

    /** @return the commit seq this snapshot reads at. */
    public long seq()
    {
        return seq;
    }

    /**
     * Starts a read: the slot is busy (so the writer keeps this snapshot's versions) until {@link #leave()}, which
     * every caller runs in a {@code finally}.
     */
    private CatalogState enter()
    {
        if (closed)
        {
            throw new AedbException(ErrorCode.CLOSED, "snapshot is closed");
        }
        if (pin != null)
        {
            final PinnedSlot.Admission admission = pin.enter();
            if (admission == PinnedSlot.Admission.EXPIRED)
            {
                throw expired();
            }
            if (admission != PinnedSlot.Admission.READ)
            {
                throw new AedbException(ErrorCode.CLOSED, "snapshot is closed");
            }
        }
        try
        {
            db.checkOpen(); // after the slot is busy: either close() sees the reader, or the reader sees close()
            return db.catalogAt(seq);
        }
        catch (final RuntimeException ex)
        {
            leave();
            throw ex;
        }
    }

    private void leave()
    {
        if (pin != null)
        {
            pin.leave();
        }
        // Keeps this snapshot reachable until its read is over, so the Cleaner cannot release the slot mid-read.
        Reference.reachabilityFence(this);
    }

    private AedbException expired()
    {
        return new AedbException(ErrorCode.SNAPSHOT_EXPIRED, "snapshot at seq " + seq + " is " + pin.ageNanos() / 1_000_000
            + " ms old, over maxSnapshotAgeMillis=" + db.maxSnapshotAgeMillis() + "; its slot is released. Take a new "
            + "snapshot, or raise AedbConfig.maxSnapshotAgeMillis for longer-lived ones");
    }

    /**
     * Reads a row by primary key. Keys of any length are looked up (maxKvKeyBytes limits what new commits store).
     *
     * @param projectId  the project; not null.
     * @param scopeId    the scope; not null.
     * @param table      the table; not null.
     * @param primaryKey the key values in key order; not null, no NULL elements.
     * @return the row, or a result with {@code found() == false}.
     * @throws AedbException INVALID_ARGUMENT naming a null argument; PROJECT/SCOPE/TABLE_NOT_FOUND; ARITY_MISMATCH,
     *                       TYPE_MISMATCH or NULL_NOT_ALLOWED for a key that does not fit the table; SNAPSHOT_EXPIRED.
     */
    public RowResult get(final String projectId, final String scopeId, final String table, final List<Value> primaryKey)
    {
        checkTable(projectId, scopeId, table);
        AedbInstance.requireArgument(primaryKey, "primaryKey");
        final CatalogState c = enter();
        try
        {
            return Reads.get(c, seq, projectId, scopeId, table, primaryKey);
        }
        finally
        {
            leave();
        }
    }

    /**
     * Reads a KV key.
     *
     * @param key the key; not null.
     * @return the value, or a result with {@code found() == false}.
     * @throws AedbException INVALID_ARGUMENT naming a null argument; PROJECT/SCOPE_NOT_FOUND; SNAPSHOT_EXPIRED.
     */
    public KvGetResult kvGet(final String projectId, final String scopeId, final byte[] key)
    {
        checkScope(projectId, scopeId);
        AedbInstance.requireArgument(key, "key");
        final CatalogState c = enter();
        try
        {
            return Reads.kvGet(c, seq, projectId, scopeId, key);
        }
        finally
        {
            leave();
        }
    }

    /**
     * Scans KV keys starting with {@code prefix}, as {@link AedbInstance#kvScanPrefix}.
     *
     * @param prefix the prefix; not null (use {@link #kvScanRange} with null bounds for every key).
     * @param limit  most entries in the page, > 0 (Integer.MAX_VALUE = all).
     * @param cursor null for the first page, else the previous page's cursor (of this snapshot).
     */
    public KvScanResult kvScanPrefix(final String projectId, final String scopeId, final byte[] prefix, final int limit,
        final ScanCursor cursor)
    {
        AedbInstance.requireArgument(prefix, "prefix");
        return kvScanRange(projectId, scopeId, prefix, Reads.prefixEnd(prefix), limit, cursor);
    }

    /**
     * Scans KV keys in {@code [start, end)}, as {@link AedbInstance#kvScanRange}.
     *
     * @param start  first key, inclusive; null = unbounded.
     * @param end    end key, exclusive; null = unbounded.
     * @param limit  most entries in the page, > 0 (Integer.MAX_VALUE = all).
     * @param cursor null for the first page, else the previous page's cursor (of this snapshot).
     */
    public KvScanResult kvScanRange(final String projectId, final String scopeId, final byte[] start, final byte[] end,
        final int limit, final ScanCursor cursor)
    {
        checkScope(projectId, scopeId);
        final CatalogState c = enter();
        try
        {
            final KeySpace ks = c.scope(projectId, scopeId).kv();
            checkCursor(cursor);
            if (cursor != null && start != null && java.util.Arrays.compareUnsigned(cursor.lastKey(), start) < 0)
            {
                return Reads.kvScan(ks, seq, start, false, end, limit);
            }
            return cursor == null ? Reads.kvScan(ks, seq, start, false, end, limit)
                : Reads.kvScan(ks, seq, cursor.lastKey(), true, end, limit);
        }
        finally
        {
            leave();
        }
    }

    /**
     * Scans a table in primary-key order, as {@link AedbInstance#scanTable}.
     *
     * @param limit  most rows in the page, > 0 (Integer.MAX_VALUE = all).
     * @param cursor null for the first page, else the previous page's cursor (of this snapshot).
     */
    public TableScanResult scanTable(final String projectId, final String scopeId, final String table, final int limit,
        final ScanCursor cursor)
    {
        checkTable(projectId, scopeId, table);
        final CatalogState c = enter();
        try
        {
            final CatalogState.TableState t = c.table(projectId, scopeId, table);
            checkCursor(cursor);
            return Reads.tableScan(t, seq, cursor == null ? null : cursor.lastKey(), limit);
        }
        finally
        {
            leave();
        }
    }

    /**
     * Runs a query at this snapshot; the options' consistency is ignored.
     *
     * @param query   the query; not null, with a table.
     * @param options not null ({@link QueryOptions#defaults()}).
     * @throws AedbException INVALID_ARGUMENT naming a null argument; INVALID_QUERY, COLUMN_NOT_FOUND or TYPE_MISMATCH
     *                       for a query that does not fit the table; SCAN_BOUND_EXCEEDED for one that would examine
     *                       more than {@code maxScanRows} rows; SNAPSHOT_EXPIRED.
     */
    public QueryResult query(final String projectId, final String scopeId, final Query query, final QueryOptions options)
    {
        checkScope(projectId, scopeId);
        AedbInstance.requireArgument(query, "query");
        AedbInstance.requireArgument(options, "options");
        if (query.table() == null)
        {
            throw new AedbException(ErrorCode.INVALID_QUERY, "query needs a table: Query.select(..).from(table)");
        }
        final CatalogState c = enter();
        try
        {
            return QueryExecutor.execute(c.table(projectId, scopeId, query.table()), name -> c.table(projectId, scopeId, name), seq,
                query, options, db.cursorKey());
        }
        finally
        {
            leave();
        }
    }

    /**
     * Plans a query at this snapshot without running it; the options' consistency is ignored.
     *
     * @param query   the query; not null, with a table.
     * @param options not null ({@link QueryOptions#defaults()}).
     * @return the plan {@link #query} would follow; its {@link QueryPlan#text()} is the same for the same query and catalog.
     * @throws AedbException as {@link #query}, for a query that does not fit the table.
     */
    public QueryPlan explain(final String projectId, final String scopeId, final Query query, final QueryOptions options)
    {
        checkScope(projectId, scopeId);
        AedbInstance.requireArgument(query, "query");
        AedbInstance.requireArgument(options, "options");
        if (query.table() == null)
        {
            throw new AedbException(ErrorCode.INVALID_QUERY, "query needs a table: Query.select(..).from(table)");
        }
        final CatalogState c = enter();
        try
        {
            return QueryExecutor.explain(c.table(projectId, scopeId, query.table()), name -> c.table(projectId, scopeId, name), seq,
                query, options);
        }
        finally
        {
            leave();
        }
    }

    /** @return the schema of a table at this snapshot (TABLE_NOT_FOUND and the like when it has none). */
    TableSchema schema(final String projectId, final String scopeId, final String table)
    {
        final CatalogState c = enter();
        try
        {
            return c.table(projectId, scopeId, table).schema();
        }
        finally
        {
            leave();
        }
    }

    /** @return the unique indexes of a table at this snapshot: name -> columns. */
    java.util.Map<String, List<String>> uniqueIndexes(final String projectId, final String scopeId, final String table)
    {
        final CatalogState c = enter();
        try
        {
            final java.util.Map<String, List<String>> out = new java.util.TreeMap<>();
            c.table(projectId, scopeId, table).indexes().forEach((name, index) ->
            {
                if (index.schema().unique())
                {
                    out.put(name, index.schema().columns());
                }
            });
            return out;
        }
        finally
        {
            leave();
        }
    }

    private static void checkScope(final String projectId, final String scopeId)
    {
        AedbInstance.requireArgument(projectId, "projectId");
        AedbInstance.requireArgument(scopeId, "scopeId");
    }

    private static void checkTable(final String projectId, final String scopeId, final String table)
    {
        checkScope(projectId, scopeId);
        AedbInstance.requireArgument(table, "table");
    }

    private void checkCursor(final ScanCursor cursor)
    {
        if (cursor != null && (cursor.snapshotSeq() != seq || cursor.lastKey() == null))
        {
            throw new AedbException(ErrorCode.INVALID_CURSOR, "cursor belongs to snapshot " + cursor.snapshotSeq()
                + ", not " + seq);
        }
    }

    /** Releases the snapshot's slot (at the end of reads in flight on other threads). Idempotent. */
    @Override
    public void close()
    {
        if (closed)
        {
            return;
        }
        closed = true;
        if (cleanable != null)
        {
            cleanable.clean(); // runs the PinnedSlot at most once, and unregisters it from the Cleaner
        }
        else
        {
            db.unpin(slot);
        }
    }
}
