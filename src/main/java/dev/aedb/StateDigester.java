package dev.aedb;

import dev.aedb.catalog.CatalogState;
import dev.aedb.catalog.CatalogState.ProjectState;
import dev.aedb.catalog.CatalogState.ScopeState;
import dev.aedb.catalog.CatalogState.TableState;
import dev.aedb.catalog.TableSchema;
import dev.aedb.commit.CommitEngine;
import dev.aedb.model.ColumnDef;
import dev.aedb.store.KeySpace;

import org.agrona.DirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;

import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;

/**
 * Streams the canonical byte form of the state at one pinned seq into SHA-256 (the form is docs/design.md, section 6
 * "State digest"; all integers little-endian):
 * <pre>
 * state      = "AEDBSTATE" | u8 format version (2) | u64 seq | u64 next table id | u32 n | n x project | idempotency
 * project    = string id | optional owner | u32 n | n x scope                      (projects by id)
 * scope      = string id | optional owner | entries (the KV space) | u32 n | n x table   (scopes by id)
 * table      = string name | u64 table id | optional owner | u32 n | n x column | u32 k | k x string key column
 *              | entries (the rows) | u32 n | n x index                          (tables by name)
 * index      = string name | u8 unique (0/1) | u32 n | n x string column | entries (its entries)  (indexes by name)
 * column     = string name | u8 type tag | u8 nullable (0/1)                     (in row order)
 * entries    = { u8 1 | bytes key | bytes value | u64 version seq } | u8 0 | u64 count   (unsigned key order)
 * idempotency = { u8 1 | optional caller | bytes key | bytes fingerprint | u64 seq } | u8 0 | u64 count  (by seq)
 * string     = u32 n | n bytes UTF-8;  optional = i32 -1 (absent) or a string;  bytes = u32 n | n bytes
 * </pre>
 * Ids sort by their UTF-8 bytes, unsigned. An entry is a key whose newest version at or below the seq is live (not
 * a tombstone): its key bytes, its stored value or row bytes as they are, and that version's seq.
 * <p>
 * Heap: one scratch buffer per digest; nothing is allocated per key, row or value (values of any size pass through
 * the scratch buffer in pieces). The caller holds the pin for the whole walk. Not thread-safe; one use per instance.
 */
final class StateDigester
{
    private static final byte[] MAGIC = "AEDBSTATE".getBytes(StandardCharsets.US_ASCII);
    private static final int SCRATCH_BYTES = 8192;
    private static final ByteOrder LE = ByteOrder.LITTLE_ENDIAN;

    private final MessageDigest sha;
    private final UnsafeBuffer scratch = new UnsafeBuffer(new byte[SCRATCH_BYTES]);
    private final CommitEngine.IdempotencyRecordVisitor idempotencyVisitor = this::idempotencyRecord;
    private int position;
    private long scopes;
    private long tables;

    private StateDigester()
    {
        try
        {
            sha = MessageDigest.getInstance("SHA-256");
        }
        catch (final NoSuchAlgorithmException ex)
        {
            throw new IllegalStateException("SHA-256 is required by every JDK", ex);
        }
    }

    /**
     * @param catalog the catalog version visible at {@code seq}.
     * @param seq     a seq the caller holds pinned for the duration of the call.
     * @param engine  the source of the idempotency records in force at {@code seq}.
     * @return the digest of the state at {@code seq}.
     */
    static StateDigest digest(final CatalogState catalog, final long seq, final CommitEngine engine)
    {
        return new StateDigester().run(catalog, seq, engine);
    }

    private StateDigest run(final CatalogState catalog, final long seq, final CommitEngine engine)
    {
        putBytes(MAGIC);
        putByte(StateDigest.FORMAT_VERSION);
        putLong(seq);
        putLong(catalog.nextTableId());
        final Map<String, ProjectState> projects = catalog.projects();
        putInt(projects.size());
        long kvPairs = 0;
        long rows = 0;
        for (final String projectId : sortedByUtf8(projects.keySet()))
        {
            final ProjectState p = projects.get(projectId);
            putString(p.id());
            putOptionalString(p.ownerId());
            putInt(p.scopes().size());
            for (final String scopeId : sortedByUtf8(p.scopes().keySet()))
            {
                final ScopeState s = p.scopes().get(scopeId);
                scopes++;
                putString(s.id());
                putOptionalString(s.ownerId());
                kvPairs += entries(s.kv(), seq);
                putInt(s.tables().size());
                for (final String tableName : sortedByUtf8(s.tables().keySet()))
                {
                    tables++;
                    rows += table(s.tables().get(tableName), seq);
                }
            }
        }
        final long idempotencyRecords = engine.visitIdempotencyRecords(seq, idempotencyVisitor);
        putByte(0);
        putLong(idempotencyRecords);
        flush();
        return new StateDigest(seq, HexFormat.of().formatHex(sha.digest()), projects.size(), scopes, tables, kvPairs, rows,
            idempotencyRecords);
    }

    /** @return the table's live rows at {@code seq}. */
    private long table(final TableState t, final long seq)
    {
        final TableSchema schema = t.schema();
        putString(schema.tableName());
        putLong(t.tableId());
        putOptionalString(schema.ownerId());
        putInt(schema.columns().size());
        for (final ColumnDef c : schema.columns())
        {
            putString(c.name());
            putByte(c.type().tag());
            putByte(c.nullable() ? 1 : 0);
        }
        putInt(schema.primaryKey().size());
        for (final String column : schema.primaryKey())
        {
            putString(column);
        }
        final long rows = entries(t.rows(), seq);
        putInt(t.indexes().size());
        for (final String name : sortedByUtf8(t.indexes().keySet()))
        {
            final CatalogState.IndexState index = t.indexes().get(name);
            putString(name);
            putByte(index.schema().unique() ? 1 : 0);
            putInt(index.schema().columns().size());
            for (final String column : index.schema().columns())
            {
                putString(column);
            }
            entries(index.entries(), seq);
        }
        return rows;
    }

    /** @return the live entries of {@code ks} at {@code seq}, all written in key order. */
    private long entries(final KeySpace ks, final long seq)
    {
        long count = 0;
        for (long node = ks.first(); node != 0; node = ks.next(node))
        {
            final long v = ks.liveVersionAt(node, seq);
            if (v == 0)
            {
                continue;
            }
            putByte(1);
            final int keyLength = ks.keyLength(node);
            putInt(keyLength);
            putBytes(ks.keyBuffer(node), ks.keyOffset(node), keyLength);
            final int valueLength = ks.payloadLength(v);
            putInt(valueLength);
            putBytes(ks.payloadBuffer(v), ks.payloadOffset(v), valueLength);
            putLong(ks.versionSeq(v));
            count++;
        }
        putByte(0);
        putLong(count);
        return count;
    }

    private void idempotencyRecord(final String callerId, final byte[] key, final byte[] fingerprint, final long seq)
    {
        putByte(1);
        putOptionalString(callerId);
        putInt(key.length);
        putBytes(key);
        putInt(fingerprint.length);
        putBytes(fingerprint);
        putLong(seq);
    }

    private static List<String> sortedByUtf8(final java.util.Set<String> ids)
    {
        final List<String> sorted = new ArrayList<>(ids);
        sorted.sort((a, b) -> Arrays.compareUnsigned(a.getBytes(StandardCharsets.UTF_8), b.getBytes(StandardCharsets.UTF_8)));
        return sorted;
    }

    // ------------------------------------------------------------------ the sink

    private void ensure(final int bytes)
    {
        if (position + bytes > SCRATCH_BYTES)
        {
            flush();
        }
    }

    private void flush()
    {
        sha.update(scratch.byteArray(), 0, position);
        position = 0;
    }

    private void putByte(final int value)
    {
        ensure(1);
        scratch.putByte(position, (byte)value);
        position += 1;
    }

    private void putInt(final int value)
    {
        ensure(4);
        scratch.putInt(position, value, LE);
        position += 4;
    }

    private void putLong(final long value)
    {
        ensure(8);
        scratch.putLong(position, value, LE);
        position += 8;
    }

    private void putBytes(final byte[] bytes)
    {
        putBytes(new UnsafeBuffer(bytes), 0, bytes.length);
    }

    /** Copies {@code length} bytes through the scratch buffer, in pieces when they do not fit. */
    private void putBytes(final DirectBuffer src, final int offset, final int length)
    {
        int done = 0;
        while (done < length)
        {
            if (position == SCRATCH_BYTES)
            {
                flush();
            }
            final int n = Math.min(length - done, SCRATCH_BYTES - position);
            scratch.putBytes(position, src, offset + done, n);
            position += n;
            done += n;
        }
    }

    private void putString(final String s)
    {
        final byte[] utf8 = s.getBytes(StandardCharsets.UTF_8);
        putInt(utf8.length);
        putBytes(utf8);
    }

    private void putOptionalString(final String s)
    {
        if (s == null)
        {
            putInt(-1);
        }
        else
        {
            putString(s);
        }
    }
}
