package dev.aedb.commit;

import dev.aedb.catalog.CatalogState.IndexState;
import dev.aedb.catalog.CatalogState.ProjectState;
import dev.aedb.catalog.CatalogState.ScopeState;
import dev.aedb.catalog.CatalogState.TableState;
import dev.aedb.catalog.CatalogState;
import dev.aedb.catalog.IndexKeys;
import dev.aedb.catalog.IndexSchema;
import dev.aedb.catalog.LiveCatalog;
import dev.aedb.catalog.TableSchema;
import dev.aedb.catalog.TypeCheck;
import dev.aedb.codec.ByteWriter;
import dev.aedb.codec.RowCodec;
import dev.aedb.io.IoFaults;
import dev.aedb.model.AedbException;
import dev.aedb.model.Assertion;
import dev.aedb.model.ColumnDef;
import dev.aedb.model.DdlOperation;
import dev.aedb.model.ErrorCode;
import dev.aedb.model.Mutation;
import dev.aedb.model.Row;
import dev.aedb.model.TransactionEnvelope;
import dev.aedb.model.Value;
import dev.aedb.store.KeySpace;
import dev.aedb.store.KeySpaceWriter;
import dev.aedb.store.Store;

import org.agrona.collections.LongArrayList;
import org.agrona.concurrent.UnsafeBuffer;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Applies one envelope to the store at a given seq, all or nothing: assertions first, then each mutation in order
 * against the writer's view (the newest version of everything, visible or not), so a later mutation sees the
 * earlier ones. On any failure every version pushed for the envelope is popped, key spaces it created are freed
 * and the catalog is left as it was. The same code runs for live commits and for WAL replay, except that the size
 * limits ({@code maxValueBytes} for rows, {@code maxKvKeyBytes} for stored primary keys) are checked only while
 * {@link #enforceSizeLimits} is on: they apply to new commits, and replay must accept what was validly committed
 * under the limits of its day. Lookups (deletes, updates, assertions) never check the key limit, so data committed
 * under a higher limit stays reachable. Writer thread only.
 */
final class EnvelopeApplier
{
    /** The default scope every project gets. */
    static final String DEFAULT_SCOPE = "app";

    /** Taking back a failed envelope failed as well: the store is in doubt and the engine must stop. */
    static final class RollbackFailedException extends RuntimeException
    {
        private static final long serialVersionUID = 1L;

        RollbackFailedException(final RuntimeException rollbackFailure, final RuntimeException original)
        {
            super("rollback after " + original + " failed: " + rollbackFailure, rollbackFailure);
            addSuppressed(original);
        }
    }

    /** Mutations at and above which an envelope's KV keys are prefetched, and how many at a time. */
    private static final int PREFETCH_MIN = 8;
    private static final int PREFETCH_WINDOW = 64;

    private final Store store;
    private final KeySpaceWriter writer;
    private final CommitSettings config;
    private final IoFaults faults;
    private final ByteWriter keyScratch = new ByteWriter(256);
    private final ByteWriter rowScratch = new ByteWriter(1024);
    private final ByteWriter oldEntry = new ByteWriter(256);
    private final ByteWriter newEntry = new ByteWriter(256);
    private final UnsafeBuffer view = new UnsafeBuffer(new byte[0]);
    private final boolean[] created = new boolean[1];
    private final long[] prefetchHashes = new long[PREFETCH_WINDOW];
    /** Keeps the prefetch loads from being optimised away. */
    long prefetchSink;
    private final List<KeySpace> undoSpaces = new ArrayList<>();
    private final LongArrayList undoNodes = new LongArrayList();
    private final LongArrayList undoVersions = new LongArrayList();
    private final List<KeySpace> createdSpaces = new ArrayList<>();
    private final List<KeySpace> droppedSpaces = new ArrayList<>();
    private final LiveCatalog catalog;
    private CatalogState working;
    private long seq;
    private boolean enforceSizeLimits = true;

    EnvelopeApplier(final Store store, final LiveCatalog catalog, final CommitSettings config)
    {
        this.store = store;
        this.writer = store.writer();
        this.catalog = catalog;
        this.config = config;
        this.faults = config.ioFaults();
    }

    /** @param enforce whether later applies check the size limits (off during WAL replay, on for live commits). */
    void enforceSizeLimits(final boolean enforce)
    {
        enforceSizeLimits = enforce;
    }

    /**
     * @throws AedbException             when an assertion or mutation fails; nothing is changed then.
     * @throws RuntimeException          any other failure, also after everything was taken back.
     * @throws RollbackFailedException   when taking back a failed envelope failed too; the store is in doubt.
     */
    void apply(final TransactionEnvelope envelope, final long commitSeq)
    {
        seq = commitSeq;
        working = catalog.newest();
        undoSpaces.clear();
        undoNodes.clear();
        undoVersions.clear();
        createdSpaces.clear();
        droppedSpaces.clear();
        try
        {
            final List<Assertion> assertions = envelope.assertions();
            for (int i = 0; i < assertions.size(); i++)
            {
                check(i, assertions.get(i));
            }
            final List<Mutation> mutations = envelope.mutations();
            final int n = mutations.size();
            for (int i = 0; i < n; i++)
            {
                if (n >= PREFETCH_MIN && i % PREFETCH_WINDOW == 0)
                {
                    prefetch(mutations, i, Math.min(n, i + PREFETCH_WINDOW));
                }
                final Mutation m = mutations.get(i);
                faults.crashPoint(IoFaults.APPLY_BEFORE_MUTATION, m);
                mutate(m);
            }
        }
        catch (final RuntimeException ex)
        {
            try
            {
                rollback();
            }
            catch (final RuntimeException rollbackFailure)
            {
                throw new RollbackFailedException(rollbackFailure, ex);
            }
            throw ex;
        }
        if (working != catalog.newest())
        {
            catalog.publish(commitSeq, working);
            for (final KeySpace ks : droppedSpaces)
            {
                store.retireKeySpace(ks, commitSeq);
            }
        }
        working = null;
    }

    private void rollback()
    {
        for (int i = undoVersions.size() - 1; i >= 0; i--)
        {
            writer.pop(undoSpaces.get(i), undoNodes.getLong(i), undoVersions.getLong(i));
        }
        for (final KeySpace ks : createdSpaces)
        {
            store.retireKeySpace(ks, 0);
        }
        working = null;
    }

    /** Writer only: forgets catalog versions no reader can need. */
    void pruneCatalogHistory(final long horizon)
    {
        catalog.pruneHistory(horizon);
    }

    // ------------------------------------------------------------------ assertions

    private void check(final int index, final Assertion a)
    {
        if (a instanceof Assertion.KeyVersion x)
        {
            final long actual = kvVersion(x.projectId(), x.scopeId(), x.key());
            if (actual != x.expectedSeq())
            {
                throw failed(index, "KeyVersion expected=" + x.expectedSeq() + " actual=" + actual);
            }
        }
        else if (a instanceof Assertion.KeyExists x)
        {
            final boolean actual = kvVersion(x.projectId(), x.scopeId(), x.key()) != 0;
            if (actual != x.expected())
            {
                throw failed(index, "KeyExists expected=" + x.expected() + " actual=" + actual);
            }
        }
        else if (a instanceof Assertion.RowVersion x)
        {
            final long actual = rowVersion(x.projectId(), x.scopeId(), x.tableName(), x.primaryKey());
            if (actual != x.expectedSeq())
            {
                throw failed(index, "RowVersion expected=" + x.expectedSeq() + " actual=" + actual);
            }
        }
        else if (a instanceof Assertion.RowExists x)
        {
            final boolean actual = rowVersion(x.projectId(), x.scopeId(), x.tableName(), x.primaryKey()) != 0;
            if (actual != x.expected())
            {
                throw failed(index, "RowExists expected=" + x.expected() + " actual=" + actual);
            }
        }
    }

    private static AedbException failed(final int index, final String what)
    {
        return new AedbException(ErrorCode.ASSERTION_FAILED, "assertion #" + index + " " + what);
    }

    private long kvVersion(final String projectId, final String scopeId, final byte[] key)
    {
        final KeySpace ks = working.scope(projectId, scopeId).kv();
        view.wrap(key);
        final long node = ks.find(view, 0, key.length);
        return newestLiveSeq(ks, node);
    }

    private long rowVersion(final String projectId, final String scopeId, final String tableName, final List<Value> primaryKey)
    {
        final TableState t = working.table(projectId, scopeId, tableName);
        lookupKey(t, primaryKey);
        final long node = t.rows().find(keyScratch.buffer(), 0, keyScratch.position());
        return newestLiveSeq(t.rows(), node);
    }

    private static long newestLiveSeq(final KeySpace ks, final long node)
    {
        if (node == 0)
        {
            return 0;
        }
        final long v = ks.newest(node);
        return v == 0 || ks.isTombstone(v) ? 0 : ks.versionSeq(v);
    }

    // ------------------------------------------------------------------ mutations

    /**
     * Loads, for the KV mutations among {@code mutations[from, to)}, what their key lookups will load first (hash slots,
     * then the key records they point at), a key space at a time, so that the cache misses of many keys overlap: with
     * new keys at random in a large store, the probe's miss was a quarter of the sequencer's time on 100-put envelopes.
     * A hint only: it changes nothing, throws nothing, and skips what it cannot resolve (a scope created later in the
     * envelope).
     */
    private void prefetch(final List<Mutation> mutations, final int from, final int to)
    {
        KeySpace ks = null;
        String project = null;
        String scope = null;
        int count = 0;
        for (int i = from; i < to; i++)
        {
            final Mutation m = mutations.get(i);
            final String p;
            final String sc;
            final byte[] key;
            if (m instanceof Mutation.KvSet x)
            {
                p = x.projectId();
                sc = x.scopeId();
                key = x.key();
            }
            else if (m instanceof Mutation.KvDel x)
            {
                p = x.projectId();
                sc = x.scopeId();
                key = x.key();
            }
            else
            {
                continue;
            }
            if (p == null || sc == null || key == null)
            {
                continue; // the mutation itself reports it
            }
            if (!p.equals(project) || !sc.equals(scope))
            {
                if (count > 0)
                {
                    prefetchSink += writer.prefetch(ks, prefetchHashes, count);
                    count = 0;
                }
                final ScopeState state = working.scopeOrNull(p, sc);
                ks = state == null ? null : state.kv();
                project = p;
                scope = sc;
            }
            if (ks != null)
            {
                view.wrap(key);
                prefetchHashes[count++] = writer.hash(view, 0, key.length);
            }
        }
        if (count > 0)
        {
            prefetchSink += writer.prefetch(ks, prefetchHashes, count);
        }
    }

    private void mutate(final Mutation m)
    {
        if (m instanceof Mutation.Ddl d)
        {
            ddl(d.operation());
        }
        else if (m instanceof Mutation.Insert x)
        {
            writeRow(working.table(x.projectId(), x.scopeId(), x.tableName()), x.primaryKey(), x.row(), true);
        }
        else if (m instanceof Mutation.Upsert x)
        {
            writeRow(working.table(x.projectId(), x.scopeId(), x.tableName()), x.primaryKey(), x.row(), false);
        }
        else if (m instanceof Mutation.Delete x)
        {
            final TableState t = working.table(x.projectId(), x.scopeId(), x.tableName());
            lookupKey(t, x.primaryKey());
            if (t.indexes().isEmpty())
            {
                delete(t.rows(), keyScratch.buffer(), keyScratch.position());
            }
            else
            {
                deleteIndexedRow(t);
            }
        }
        else if (m instanceof Mutation.UpdateFields x)
        {
            updateFields(x);
        }
        else if (m instanceof Mutation.KvSet x)
        {
            final KeySpace ks = working.scope(x.projectId(), x.scopeId()).kv();
            view.wrap(x.key());
            final long node = writer.findOrInsert(ks, view, 0, x.key().length, created);
            view.wrap(x.value());
            push(ks, node, false, view, x.value().length);
        }
        else if (m instanceof Mutation.KvDel x)
        {
            final KeySpace ks = working.scope(x.projectId(), x.scopeId()).kv();
            view.wrap(x.key());
            delete(ks, view, x.key().length);
        }
        else if (m instanceof Mutation.KvIncU256 x)
        {
            counter(x.projectId(), x.scopeId(), x.key(), x.amount(), true);
        }
        else if (m instanceof Mutation.KvDecU256 x)
        {
            counter(x.projectId(), x.scopeId(), x.key(), x.amount(), false);
        }
        else
        {
            throw new AedbException(ErrorCode.INVALID_ARGUMENT, "unsupported mutation " + m);
        }
    }

    private void push(final KeySpace ks, final long node, final boolean tombstone, final org.agrona.DirectBuffer payload,
        final int length)
    {
        final long v;
        try
        {
            v = writer.push(ks, node, seq, tombstone, payload, 0, length);
        }
        catch (final RuntimeException e)
        {
            if (ks.newest(node) == 0)
            {
                writer.markGarbage(ks, node, seq); // a key record inserted for this push stays empty: let the sweeper unlink it
            }
            throw e;
        }
        undoSpaces.add(ks);
        undoNodes.addLong(node);
        undoVersions.addLong(v);
        if (writer.trim(ks, node) > 1 || tombstone)
        {
            writer.markGarbage(ks, node, seq);
        }
    }

    private void delete(final KeySpace ks, final org.agrona.DirectBuffer key, final int length)
    {
        final long node = ks.find(key, 0, length);
        if (node == 0)
        {
            return;
        }
        final long newest = ks.newest(node);
        if (newest == 0 || ks.isTombstone(newest))
        {
            return;
        }
        push(ks, node, true, key, 0);
    }

    private void counter(final String projectId, final String scopeId, final byte[] key, final byte[] amount, final boolean add)
    {
        final KeySpace ks = working.scope(projectId, scopeId).kv();
        view.wrap(key);
        final long node = writer.findOrInsert(ks, view, 0, key.length, created);
        final long newest = ks.newest(node);
        final byte[] current = new byte[32];
        if (newest != 0 && !ks.isTombstone(newest))
        {
            if (ks.payloadLength(newest) != 32)
            {
                if (created[0])
                {
                    writer.markGarbage(ks, node, seq);
                }
                throw new AedbException(ErrorCode.INVALID_VALUE,
                    "value of key is " + ks.payloadLength(newest) + " bytes, not a 32-byte u256");
            }
            ks.payloadBuffer(newest).getBytes(ks.payloadOffset(newest), current);
        }
        final byte[] next = add ? U256Math.add(current, amount) : U256Math.subtract(current, amount);
        if (next == null)
        {
            if (created[0])
            {
                writer.markGarbage(ks, node, seq);
            }
            throw new AedbException(add ? ErrorCode.OVERFLOW : ErrorCode.UNDERFLOW,
                (add ? "u256 increment overflows" : "u256 decrement underflows") + " the counter");
        }
        view.wrap(next);
        push(ks, node, false, view, 32);
    }

    private void writeRow(final TableState t, final List<Value> primaryKey, final Row row, final boolean insert)
    {
        final TableSchema schema = t.schema();
        TypeCheck.checkRow(schema, row);
        // Type-checks the key (arity, no NULLs) before it is compared with the row's key columns.
        TypeCheck.encodeKey(t, primaryKey, keyScratch, enforceSizeLimits ? config.maxKvKeyBytes() : Integer.MAX_VALUE);
        checkKeyMatches(t, primaryKey, row);
        rowScratch.reset();
        RowCodec.encode(row, rowScratch);
        if (enforceSizeLimits && rowScratch.position() > config.maxValueBytes())
        {
            throw new AedbException(ErrorCode.VALUE_TOO_LARGE,
                "encoded row of " + rowScratch.position() + " bytes exceeds maxValueBytes=" + config.maxValueBytes());
        }
        final KeySpace ks = t.rows();
        final long node = writer.findOrInsert(ks, keyScratch.buffer(), 0, keyScratch.position(), created);
        final long newest = created[0] ? 0 : ks.newest(node);
        final boolean exists = newest != 0 && !ks.isTombstone(newest);
        if (insert && exists)
        {
            throw new AedbException(ErrorCode.DUPLICATE_KEY, "a row with this primary key exists in " + schema.tableName()
                + ": " + primaryKey);
        }
        final Row old = exists && !t.indexes().isEmpty() ? decodeRow(ks, newest, schema) : null;
        push(ks, node, false, rowScratch.buffer(), rowScratch.position()); // a failed push or a later pop queues an emptied record
        maintainIndexes(t, old, row);
    }

    private static Row decodeRow(final KeySpace ks, final long version, final TableSchema schema)
    {
        return RowCodec.decode(ks.payloadBuffer(version), ks.payloadOffset(version), ks.payloadLength(version), schema.columns());
    }

    /** Deletes the row whose key is in the key scratch, and its index entries. */
    private void deleteIndexedRow(final TableState t)
    {
        final KeySpace ks = t.rows();
        final long node = ks.find(keyScratch.buffer(), 0, keyScratch.position());
        final long newest = node == 0 ? 0 : ks.newest(node);
        if (newest == 0 || ks.isTombstone(newest))
        {
            return;
        }
        final Row old = decodeRow(ks, newest, t.schema());
        push(ks, node, true, keyScratch.buffer(), 0);
        maintainIndexes(t, old, null);
    }

    /**
     * Brings the table's index entries from row {@code old} to row {@code row} (either null: no row), for the primary
     * key in the key scratch: an entry whose key does not change is left alone, a changed one is tombstoned and the
     * new one added (checked against a unique index first). Every push is undone with the envelope on failure.
     */
    private void maintainIndexes(final TableState t, final Row old, final Row row)
    {
        for (final IndexState index : t.indexes().values())
        {
            if (old != null)
            {
                IndexKeys.entryKey(index, old, keyScratch.buffer(), keyScratch.position(), oldEntry);
            }
            if (row != null)
            {
                IndexKeys.entryKey(index, row, keyScratch.buffer(), keyScratch.position(), newEntry);
            }
            if (old != null && row != null && sameBytes(oldEntry, newEntry))
            {
                continue;
            }
            if (old != null)
            {
                delete(index.entries(), oldEntry.buffer(), oldEntry.position());
            }
            if (row != null)
            {
                addEntry(t, index, row, newEntry);
            }
        }
    }

    private static boolean sameBytes(final ByteWriter a, final ByteWriter b)
    {
        return KeySpace.compareKeys(a.buffer(), 0, a.position(), b.buffer(), 0, b.position()) == 0;
    }

    private void addEntry(final TableState t, final IndexState index, final Row row, final ByteWriter entry)
    {
        if (enforceSizeLimits && entry.position() > config.maxKvKeyBytes())
        {
            throw new AedbException(ErrorCode.KEY_TOO_LARGE, "entry of index " + index.schema().name() + " on "
                + t.schema().tableName() + " (indexed values + primary key) is " + entry.position()
                + " bytes, over maxKvKeyBytes=" + config.maxKvKeyBytes());
        }
        final KeySpace es = index.entries();
        if (index.schema().unique() && !IndexKeys.hasNull(index, row))
        {
            final int valuesLength = IndexKeys.valuesLength(index, entry.buffer(), 0, entry.position());
            for (long n = es.seek(entry.buffer(), 0, valuesLength, true); n != 0; n = es.next(n))
            {
                if (!es.keyStartsWith(n, entry.buffer(), valuesLength))
                {
                    break;
                }
                final long v = es.newest(n);
                if (v != 0 && !es.isTombstone(v))
                {
                    final StringBuilder values = new StringBuilder();
                    for (final int c : index.columnIndexes())
                    {
                        values.append(values.length() == 0 ? "" : ", ").append(t.schema().columns().get(c).name()).append('=')
                            .append(row.get(c));
                    }
                    throw new AedbException(ErrorCode.UNIQUE_VIOLATION, "unique index " + index.schema().name() + " on "
                        + t.schema().tableName() + " already holds a row with " + values);
                }
            }
        }
        final long node = writer.findOrInsert(es, entry.buffer(), 0, entry.position(), created);
        push(es, node, false, entry.buffer(), 0);
    }

    private void updateFields(final Mutation.UpdateFields x)
    {
        final TableState t = working.table(x.projectId(), x.scopeId(), x.tableName());
        final TableSchema schema = t.schema();
        lookupKey(t, x.primaryKey());
        final KeySpace ks = t.rows();
        final long node = ks.find(keyScratch.buffer(), 0, keyScratch.position());
        final long newest = node == 0 ? 0 : ks.newest(node);
        if (newest == 0 || ks.isTombstone(newest))
        {
            throw new AedbException(ErrorCode.ROW_NOT_FOUND, "no row with primary key " + x.primaryKey() + " in " + schema.tableName());
        }
        final Row current = RowCodec.decode(ks.payloadBuffer(newest), ks.payloadOffset(newest), ks.payloadLength(newest),
            schema.columns());
        final Value[] values = current.values().toArray(new Value[0]);
        final Set<Integer> keyColumns = new HashSet<>();
        for (final int i : t.primaryKeyIndexes())
        {
            keyColumns.add(i);
        }
        for (final Map.Entry<String, Value> e : x.fields().entrySet())
        {
            final int index = schema.columnIndex(e.getKey());
            if (index < 0)
            {
                throw new AedbException(ErrorCode.COLUMN_NOT_FOUND, "column not found: " + schema.tableName() + "." + e.getKey());
            }
            if (keyColumns.contains(index))
            {
                throw new AedbException(ErrorCode.PRIMARY_KEY_UPDATE, "UpdateFields cannot change key column " + e.getKey());
            }
            TypeCheck.checkValue(schema.columns().get(index), e.getValue());
            values[index] = e.getValue();
        }
        final Row next = Row.of(values);
        rowScratch.reset();
        RowCodec.encode(next, rowScratch);
        if (enforceSizeLimits && rowScratch.position() > config.maxValueBytes())
        {
            throw new AedbException(ErrorCode.VALUE_TOO_LARGE,
                "encoded row of " + rowScratch.position() + " bytes exceeds maxValueBytes=" + config.maxValueBytes());
        }
        push(ks, node, false, rowScratch.buffer(), rowScratch.position());
        maintainIndexes(t, current, next);
    }

    // ------------------------------------------------------------------ type checks

    private void checkKeyMatches(final TableState t, final List<Value> primaryKey, final Row row)
    {
        final int[] idx = t.primaryKeyIndexes();
        if (primaryKey.size() != idx.length)
        {
            throw new AedbException(ErrorCode.ARITY_MISMATCH,
                "primary key has " + primaryKey.size() + " values, table " + t.schema().tableName() + " has " + idx.length);
        }
        for (int i = 0; i < idx.length; i++)
        {
            if (!primaryKey.get(i).equals(row.get(idx[i])))
            {
                throw new AedbException(ErrorCode.PRIMARY_KEY_MISMATCH, "primary key value " + primaryKey.get(i)
                    + " differs from the row's " + t.schema().primaryKey().get(i) + "=" + row.get(idx[i]));
            }
        }
    }

    /**
     * Type-checks a primary key that is only looked up and encodes it into the key scratch buffer. No size limit: a
     * key longer than maxKvKeyBytes can exist if it was committed under a higher limit, and must stay reachable.
     */
    private void lookupKey(final TableState t, final List<Value> primaryKey)
    {
        TypeCheck.encodeKey(t, primaryKey, keyScratch, Integer.MAX_VALUE);
    }

    // ------------------------------------------------------------------ DDL

    private void ddl(final DdlOperation op)
    {
        if (op instanceof DdlOperation.CreateProject x)
        {
            if (x.projectId().startsWith("_"))
            {
                throw new AedbException(ErrorCode.RESERVED_NAME, "project ids starting with '_' are reserved: " + x.projectId());
            }
            if (working.projectOrNull(x.projectId()) != null)
            {
                if (x.ifNotExists())
                {
                    return;
                }
                throw new AedbException(ErrorCode.PROJECT_EXISTS, "project exists: " + x.projectId());
            }
            working = working.withProject(new ProjectState(x.projectId(), x.ownerId(), Map.of()));
            working = working.withScope(new ScopeState(x.projectId(), DEFAULT_SCOPE, x.ownerId(), newSpace(), Map.of()));
        }
        else if (op instanceof DdlOperation.DropProject x)
        {
            final ProjectState p = working.projectOrNull(x.projectId());
            if (p == null)
            {
                if (x.ifExists())
                {
                    return;
                }
                throw new AedbException(ErrorCode.PROJECT_NOT_FOUND, "project not found: " + x.projectId());
            }
            for (final ScopeState s : p.scopes().values())
            {
                dropScopeSpaces(s);
            }
            working = working.withoutProject(x.projectId());
        }
        else if (op instanceof DdlOperation.CreateScope x)
        {
            final ProjectState p = working.project(x.projectId());
            if (p.scopes().containsKey(x.scopeId()))
            {
                if (x.ifNotExists())
                {
                    return;
                }
                throw new AedbException(ErrorCode.SCOPE_EXISTS, "scope exists: " + x.projectId() + "." + x.scopeId());
            }
            working = working.withScope(new ScopeState(x.projectId(), x.scopeId(), x.ownerId(), newSpace(), Map.of()));
        }
        else if (op instanceof DdlOperation.DropScope x)
        {
            final ProjectState p = working.project(x.projectId());
            final ScopeState s = p.scopes().get(x.scopeId());
            if (s == null)
            {
                if (x.ifExists())
                {
                    return;
                }
                throw new AedbException(ErrorCode.SCOPE_NOT_FOUND, "scope not found: " + x.projectId() + "." + x.scopeId());
            }
            dropScopeSpaces(s);
            working = working.withoutScope(x.projectId(), x.scopeId());
        }
        else if (op instanceof DdlOperation.CreateTable x)
        {
            createTable(x);
        }
        else if (op instanceof DdlOperation.DropTable x)
        {
            final ScopeState s = working.scope(x.projectId(), x.scopeId());
            final TableState t = s.tables().get(x.tableName());
            if (t == null)
            {
                if (x.ifExists())
                {
                    return;
                }
                throw new AedbException(ErrorCode.TABLE_NOT_FOUND, "table not found: " + x.projectId() + "." + x.scopeId() + "."
                    + x.tableName());
            }
            dropTableSpaces(t);
            working = working.withoutTable(x.projectId(), x.scopeId(), x.tableName());
        }
        else if (op instanceof DdlOperation.AlterTableAddColumn x)
        {
            final TableState t = working.table(x.projectId(), x.scopeId(), x.tableName());
            if (t.schema().columnIndex(x.column().name()) >= 0)
            {
                throw new AedbException(ErrorCode.COLUMN_EXISTS, "column exists: " + x.tableName() + "." + x.column().name());
            }
            if (!x.column().nullable())
            {
                throw new AedbException(ErrorCode.INVALID_SCHEMA,
                    "an added column must be nullable (existing rows read it as NULL): " + x.column().name());
            }
            working = working.withTable(t.withSchema(t.schema().withColumn(x.column())), false);
        }
        else if (op instanceof DdlOperation.CreateIndex x)
        {
            createIndex(x);
        }
        else if (op instanceof DdlOperation.DropIndex x)
        {
            final TableState t = working.table(x.projectId(), x.scopeId(), x.tableName());
            final IndexState index = t.indexes().get(x.indexName());
            if (index == null)
            {
                if (x.ifExists())
                {
                    return;
                }
                throw new AedbException(ErrorCode.INDEX_NOT_FOUND, "index not found: " + x.tableName() + "." + x.indexName());
            }
            drop(index.entries());
            working = working.withTable(t.withoutIndex(x.indexName()), false);
        }
    }

    /** Most columns an index may have. */
    static final int MAX_INDEX_COLUMNS = 16;

    private void createIndex(final DdlOperation.CreateIndex x)
    {
        final TableState t = working.table(x.projectId(), x.scopeId(), x.tableName());
        if (t.indexes().containsKey(x.indexName()))
        {
            if (x.ifNotExists())
            {
                return;
            }
            throw new AedbException(ErrorCode.INDEX_EXISTS, "index exists: " + x.tableName() + "." + x.indexName());
        }
        if (x.columns().isEmpty() || x.columns().size() > MAX_INDEX_COLUMNS)
        {
            throw new AedbException(ErrorCode.INVALID_SCHEMA, "an index has 1 to " + MAX_INDEX_COLUMNS + " columns, columns="
                + x.columns().size());
        }
        final Set<String> seen = new HashSet<>();
        for (final String c : x.columns())
        {
            if (t.schema().columnIndex(c) < 0)
            {
                throw new AedbException(ErrorCode.COLUMN_NOT_FOUND, "column not found: " + x.tableName() + "." + c);
            }
            if (!seen.add(c))
            {
                throw new AedbException(ErrorCode.INVALID_SCHEMA, "index " + x.indexName() + " names column " + c + " twice");
            }
        }
        final IndexState index = IndexState.of(new IndexSchema(x.indexName(), x.columns(), x.unique()), newSpace(), t.schema());
        final KeySpace rows = t.rows();
        for (long node = rows.first(); node != 0; node = rows.next(node))
        {
            final long newest = rows.newest(node);
            if (newest == 0 || rows.isTombstone(newest))
            {
                continue;
            }
            final Row row = decodeRow(rows, newest, t.schema());
            keyScratch.reset();
            keyScratch.putBytes(rows.keyBuffer(node), rows.keyOffset(node), rows.keyLength(node));
            IndexKeys.entryKey(index, row, keyScratch.buffer(), keyScratch.position(), newEntry);
            addEntry(t, index, row, newEntry);
        }
        working = working.withTable(t.withIndex(index), false);
    }

    private void dropTableSpaces(final TableState t)
    {
        drop(t.rows());
        for (final IndexState index : t.indexes().values())
        {
            drop(index.entries());
        }
    }

    private void createTable(final DdlOperation.CreateTable x)
    {
        final ScopeState s = working.scope(x.projectId(), x.scopeId());
        if (s.tables().containsKey(x.tableName()))
        {
            if (x.ifNotExists())
            {
                return;
            }
            throw new AedbException(ErrorCode.TABLE_EXISTS, "table exists: " + x.projectId() + "." + x.scopeId() + "." + x.tableName());
        }
        if (x.columns().isEmpty())
        {
            throw new AedbException(ErrorCode.INVALID_SCHEMA, "a table needs at least one column");
        }
        if (x.columns().size() > 1024)
        {
            throw new AedbException(ErrorCode.INVALID_SCHEMA, "a table has at most 1024 columns, columns=" + x.columns().size());
        }
        final Set<String> names = new HashSet<>();
        for (final ColumnDef c : x.columns())
        {
            if (!names.add(c.name()))
            {
                throw new AedbException(ErrorCode.INVALID_SCHEMA, "duplicate column " + c.name());
            }
        }
        if (x.primaryKey().isEmpty())
        {
            throw new AedbException(ErrorCode.INVALID_SCHEMA, "a table needs a primary key");
        }
        final Set<String> keyNames = new HashSet<>();
        for (final String k : x.primaryKey())
        {
            if (!names.contains(k))
            {
                throw new AedbException(ErrorCode.INVALID_SCHEMA, "primary key column " + k + " is not a column");
            }
            if (!keyNames.add(k))
            {
                throw new AedbException(ErrorCode.INVALID_SCHEMA, "primary key names " + k + " twice");
            }
        }
        final TableSchema schema = new TableSchema(x.projectId(), x.scopeId(), x.tableName(), x.ownerId(), x.columns(),
            x.primaryKey());
        for (final int i : schema.primaryKeyIndexes())
        {
            if (schema.columns().get(i).nullable())
            {
                throw new AedbException(ErrorCode.INVALID_SCHEMA, "primary key column " + schema.columns().get(i).name()
                    + " cannot be nullable");
            }
        }
        working = working.withTable(new TableState(working.nextTableId(), schema, newSpace(), schema.primaryKeyIndexes()), true);
    }

    private KeySpace newSpace()
    {
        final KeySpace ks = store.newKeySpace();
        createdSpaces.add(ks);
        return ks;
    }

    private void dropScopeSpaces(final ScopeState s)
    {
        drop(s.kv());
        for (final TableState t : s.tables().values())
        {
            dropTableSpaces(t);
        }
    }

    private void drop(final KeySpace ks)
    {
        if (createdSpaces.remove(ks))
        {
            // created and dropped in the same envelope: nobody else ever saw it
            store.retireKeySpace(ks, 0);
            return;
        }
        droppedSpaces.add(ks);
    }
}
