package dev.aedb;

import dev.aedb.catalog.CatalogState.TableState;
import dev.aedb.catalog.CatalogState;
import dev.aedb.catalog.TypeCheck;
import dev.aedb.codec.ByteWriter;
import dev.aedb.codec.RowCodec;
import dev.aedb.model.AedbException;
import dev.aedb.model.ErrorCode;
import dev.aedb.model.Row;
import dev.aedb.model.Value;
import dev.aedb.store.KeySpace;

import org.agrona.DirectBuffer;
import org.agrona.MutableDirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * Read operations against one catalog version at one pinned seq. The caller holds the pin for the duration.
 */
final class Reads
{
    private Reads()
    {
    }

    /** A lookup: no key-size limit, since a key committed under a higher maxKvKeyBytes must stay readable. */
    static RowResult get(final CatalogState c, final long seq, final String projectId, final String scopeId, final String table,
        final List<Value> primaryKey)
    {
        final TableState t = c.table(projectId, scopeId, table);
        final ByteWriter key = new ByteWriter(64);
        TypeCheck.encodeKey(t, primaryKey, key, Integer.MAX_VALUE);
        final KeySpace ks = t.rows();
        final long node = ks.find(key.buffer(), 0, key.position());
        final long v = node == 0 ? 0 : ks.liveVersionAt(node, seq);
        if (v == 0)
        {
            return new RowResult(null, 0, seq);
        }
        final Row row = RowCodec.decode(ks.payloadBuffer(v), ks.payloadOffset(v), ks.payloadLength(v), t.schema().columns());
        return new RowResult(row, ks.versionSeq(v), seq);
    }

    static KvGetResult kvGet(final CatalogState c, final long seq, final String projectId, final String scopeId, final byte[] key)
    {
        final KeySpace ks = c.scope(projectId, scopeId).kv();
        final long node = ks.find(new UnsafeBuffer(key), 0, key.length);
        final long v = node == 0 ? 0 : ks.liveVersionAt(node, seq);
        if (v == 0)
        {
            return new KvGetResult(null, 0, seq);
        }
        final byte[] value = new byte[ks.payloadLength(v)];
        ks.payloadBuffer(v).getBytes(ks.payloadOffset(v), value);
        return new KvGetResult(value, ks.versionSeq(v), seq);
    }

    /** Zero-allocation KV get: copies the value into {@code dst}; returns its length, or -1 when absent. */
    static int kvGetInto(final KeySpace ks, final long seq, final DirectBuffer key, final int offset, final int length,
        final MutableDirectBuffer dst, final int dstOffset)
    {
        final long node = ks.find(key, offset, length);
        final long v = node == 0 ? 0 : ks.liveVersionAt(node, seq);
        if (v == 0)
        {
            return -1;
        }
        final int len = ks.payloadLength(v);
        if (len > dst.capacity() - dstOffset && !dst.isExpandable())
        {
            throw new AedbException(ErrorCode.INVALID_ARGUMENT, "destination of capacity " + dst.capacity()
                + " cannot hold a value of " + len + " bytes at offset " + dstOffset);
        }
        dst.putBytes(dstOffset, ks.payloadBuffer(v), ks.payloadOffset(v), len);
        return len;
    }

    /**
     * Visits live entries of {@code ks} at {@code seq} in key order from {@code start} (inclusive unless
     * {@code after}) while keys are below {@code end} (null = unbounded), up to {@code limit}.
     *
     * @param visitor a {@link KvVisitor} (gets keys and values) or a {@link RowVisitor} (gets values only); taking
     *                either keeps table scans free of adapter allocations.
     * @return entries visited.
     */
    static int scan(final KeySpace ks, final long seq, final DirectBuffer start, final int startOffset, final int startLength,
        final boolean after, final DirectBuffer end, final int endOffset, final int endLength, final int limit, final Object visitor)
    {
        final KvVisitor kvVisitor = visitor instanceof KvVisitor k ? k : null;
        final RowVisitor rowVisitor = visitor instanceof RowVisitor r ? r : null;
        long node = start == null ? ks.first() : ks.seek(start, startOffset, startLength, !after);
        // The records of a key space filled in random order lie far apart: load the next ones ahead, misses
        // overlapping. A bounded range may hold far fewer entries than the limit: its first prefetch covers about 32.
        long refill = 0;
        if (limit >= KeySpace.PREFETCH_MIN_ENTRIES && node != 0 && ks.scattered())
        {
            refill = ks.prefetch(node, start == null ? ks.firstAnchor() : ks.seekAnchor(start, startOffset, startLength, !after),
                end == null ? limit : Math.min(limit, 32));
        }
        int visited = 0;
        while (node != 0 && visited < limit)
        {
            if (node == refill)
            {
                refill = ks.prefetch(node, ks.nextAnchor(node), limit - visited);
            }
            final DirectBuffer kb = ks.keyBuffer(node);
            final int ko = ks.keyOffset(node);
            final int kl = ks.keyLength(node);
            if (end != null && KeySpace.compareKeys(kb, ko, kl, end, endOffset, endLength) >= 0)
            {
                break;
            }
            final long v = ks.liveVersionAt(node, seq);
            if (v != 0)
            {
                visited++;
                final boolean more = kvVisitor != null
                    ? kvVisitor.visit(kb, ko, kl, ks.payloadBuffer(v), ks.payloadOffset(v), ks.payloadLength(v), ks.versionSeq(v))
                    : rowVisitor.visit(ks.payloadBuffer(v), ks.payloadOffset(v), ks.payloadLength(v), ks.versionSeq(v));
                if (!more)
                {
                    break;
                }
            }
            node = ks.next(node);
        }
        return visited;
    }

    static KvScanResult kvScan(final KeySpace ks, final long seq, final byte[] start, final boolean after, final byte[] end,
        final int limit)
    {
        if (limit <= 0)
        {
            throw new AedbException(ErrorCode.INVALID_ARGUMENT, "limit must be > 0, limit=" + limit);
        }
        final KvPage page = new KvPage(limit);
        scan(ks, seq, start == null ? null : new UnsafeBuffer(start), 0, start == null ? 0 : start.length, after,
            end == null ? null : new UnsafeBuffer(end), 0, end == null ? 0 : end.length, visitLimit(limit), page);
        final List<KvEntry> entries = page.entries;
        final ScanCursor next = page.more ? new ScanCursor(seq, entries.get(entries.size() - 1).key()) : null;
        return new KvScanResult(Collections.unmodifiableList(entries), next, seq);
    }

    /** Collects a page of copied entries, and notes whether one more entry exists past the limit. */
    private static final class KvPage implements KvVisitor
    {
        final int limit;
        final List<KvEntry> entries;
        boolean more;

        KvPage(final int limit)
        {
            this.limit = limit;
            this.entries = new ArrayList<>(Math.min(limit, 1024));
        }

        @Override
        public boolean visit(final DirectBuffer kb, final int ko, final int kl, final DirectBuffer vb, final int vo, final int vl,
            final long version)
        {
            if (entries.size() == limit)
            {
                more = true;
                return false;
            }
            final byte[] k = new byte[kl];
            kb.getBytes(ko, k);
            final byte[] v = new byte[vl];
            vb.getBytes(vo, v);
            entries.add(new KvEntry(k, v, version));
            return true;
        }
    }

    static TableScanResult tableScan(final TableState t, final long seq, final byte[] after, final int limit)
    {
        if (limit <= 0)
        {
            throw new AedbException(ErrorCode.INVALID_ARGUMENT, "limit must be > 0, limit=" + limit);
        }
        final KeySpace ks = t.rows();
        final List<Row> rows = new ArrayList<>(Math.min(limit, 1024));
        final byte[][] lastKey = {null};
        final boolean[] more = {false};
        scan(ks, seq, after == null ? null : new UnsafeBuffer(after), 0, after == null ? 0 : after.length, true, null, 0, 0,
            visitLimit(limit), (KvVisitor)(kb, ko, kl, vb, vo, vl, version) ->
            {
                if (rows.size() == limit)
                {
                    more[0] = true;
                    return false;
                }
                rows.add(RowCodec.decode(vb, vo, vl, t.schema().columns()));
                final byte[] k = new byte[kl];
                kb.getBytes(ko, k);
                lastKey[0] = k;
                return true;
            });
        return new TableScanResult(List.copyOf(rows), more[0] ? new ScanCursor(seq, lastKey[0]) : null, seq);
    }

    /** One entry past the page tells whether there is a next page; Integer.MAX_VALUE + 1 would overflow to "none". */
    private static int visitLimit(final int limit)
    {
        return limit == Integer.MAX_VALUE ? limit : limit + 1;
    }

    /**
     * Checks a caller's {@code [offset, offset + length)} range of a buffer; a null buffer is allowed only when
     * {@code nullable} (for "unbounded").
     *
     * @throws AedbException INVALID_ARGUMENT naming the buffer, or the range that does not fit it.
     */
    static void checkRange(final DirectBuffer buffer, final String name, final int offset, final int length, final boolean nullable)
    {
        if (buffer == null)
        {
            if (nullable)
            {
                return;
            }
            throw new AedbException(ErrorCode.INVALID_ARGUMENT, name + "=null");
        }
        if (offset < 0 || length < 0 || offset > buffer.capacity() - length)
        {
            throw new AedbException(ErrorCode.INVALID_ARGUMENT, "offset=" + offset + " length=" + length + " is outside "
                + name + " of capacity " + buffer.capacity());
        }
    }

    /** @throws AedbException INVALID_ARGUMENT for a destination offset outside {@code dst}, or a null {@code dst}. */
    static void checkDestination(final MutableDirectBuffer dst, final int dstOffset)
    {
        if (dst == null)
        {
            throw new AedbException(ErrorCode.INVALID_ARGUMENT, "dst=null");
        }
        if (dstOffset < 0 || (dstOffset > dst.capacity() && !dst.isExpandable()))
        {
            throw new AedbException(ErrorCode.INVALID_ARGUMENT, "dstOffset=" + dstOffset + " is outside dst of capacity "
                + dst.capacity());
        }
    }

    /** @throws AedbException INVALID_ARGUMENT for a limit below 1 or a null visitor. */
    static void checkScan(final int limit, final Object visitor)
    {
        if (limit <= 0)
        {
            throw new AedbException(ErrorCode.INVALID_ARGUMENT, "limit must be > 0, limit=" + limit);
        }
        if (visitor == null)
        {
            throw new AedbException(ErrorCode.INVALID_ARGUMENT, "visitor=null");
        }
    }

    /** @return the smallest key greater than every key that starts with {@code prefix}, or null when none exists. */
    static byte[] prefixEnd(final byte[] prefix)
    {
        final byte[] end = prefix.clone();
        for (int i = end.length - 1; i >= 0; i--)
        {
            if (end[i] != (byte)0xFF)
            {
                end[i]++;
                return java.util.Arrays.copyOf(end, i + 1);
            }
        }
        return null;
    }
}
