package dev.aedb.bench;

import net.openhft.chronicle.map.ChronicleMap;

import org.agrona.DirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;

/**
 * Chronicle Map: an off-heap hash map persisted to one memory-mapped file ({@code kv.cmap}), constant 16-byte keys
 * and 100-byte values, sized for the store's capacity ({@code entries}) with {@code maxBloatFactor} 2. A put writes
 * into the shared mapping and returns: it survives a process crash, never a power loss; Chronicle Map has no commit,
 * no sync and no multi-key atomicity, so {@link SyncMode#DURABLE} and {@link Session#putBatch} are unsupported
 * ("n/a", not imitated), and as a hash map it has no ordered scan. {@link #flush()} does nothing: there is nothing to
 * sync. Gets use {@code getUsing} into one reused array per session (allocation-free), copied into the session's buffer.
 */
final class ChronicleMapEngine implements Engine
{
    static final double MAX_BLOAT_FACTOR = 2.0;

    private final SessionRegistry sessions = new SessionRegistry();
    private ChronicleMap<byte[], byte[]> map;

    @Override
    public void open(final Path dir, final SyncMode mode, final long capacity)
    {
        if (mode == SyncMode.DURABLE)
        {
            throw new UnsupportedOperationException("chroniclemap has no durable commit (no sync of any kind)");
        }
        try
        {
            map = ChronicleMap.of(byte[].class, byte[].class)
                .name("kv")
                .entries(Math.max(1000, capacity))
                .maxBloatFactor(MAX_BLOAT_FACTOR)
                .constantKeySizeBySample(new byte[BenchData.KEY_BYTES])
                .constantValueSizeBySample(new byte[BenchData.VALUE_BYTES])
                .createPersistedTo(dir.resolve("kv.cmap").toFile());
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException("chroniclemap: cannot open " + dir, ex);
        }
    }

    @Override
    public boolean ordered()
    {
        return false;
    }

    @Override
    public Session session()
    {
        return sessions.add(new ChronicleMapSession());
    }

    @Override
    public void flush()
    {
        // Nothing to do: Chronicle Map offers no sync; the mapping reaches the disk through the OS's write-back.
    }

    /** Plain puts: Chronicle Map has no atomic batch to load through. */
    @Override
    public void load(final int[] order)
    {
        for (final int i : order)
        {
            map.put(BenchData.key(i), BenchData.value(i));
        }
        flush();
    }

    @Override
    public void close()
    {
        sessions.closeAll();
        if (map != null)
        {
            map.close();
            map = null;
        }
    }

    private final class ChronicleMapSession implements Session
    {
        private final byte[] key = new byte[BenchData.KEY_BYTES];
        private final byte[] found = new byte[BenchData.VALUE_BYTES];
        private final UnsafeBuffer value = new UnsafeBuffer(ByteBuffer.allocateDirect(1024));

        @Override
        public void put(final byte[] k, final byte[] v)
        {
            map.put(k, v);
        }

        @Override
        public void putBatch(final byte[][] keys, final byte[][] values)
        {
            throw new UnsupportedOperationException("chroniclemap has no atomic multi-key batch");
        }

        @Override
        public int get(final DirectBuffer keys, final int keyOffset)
        {
            keys.getBytes(keyOffset, key);
            final byte[] v = map.getUsing(key, found);
            if (v == null)
            {
                return -1;
            }
            value.putBytes(0, v);
            return v.length;
        }

        @Override
        public DirectBuffer value()
        {
            return value;
        }

        @Override
        public int scan(final DirectBuffer keys, final int startOffset, final int limit, final EntryVisitor visitor)
        {
            throw new UnsupportedOperationException("chroniclemap is a hash map: no ordered scan");
        }

        @Override
        public byte[] getBytes(final byte[] k)
        {
            return map.get(k);
        }

        @Override
        public int scanBytes(final byte[] start, final int limit, final BytesVisitor visitor)
        {
            throw new UnsupportedOperationException("chroniclemap is a hash map: no ordered scan");
        }

        @Override
        public void close()
        {
            sessions.remove(this);
        }
    }
}
