package dev.aedb.commit;

import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;

/**
 * Idempotency keys seen in the last {@code window} commits, per caller. Rebuilt by replay from the keys and
 * fingerprints carried in the WAL frames, so it survives a reopen. Writer thread only.
 */
final class IdempotencyIndex
{
    record Entry(long seq, byte[] fingerprint)
    {
    }

    private static final class Key
    {
        private final byte[] bytes;
        private final int hash;

        Key(final byte[] bytes)
        {
            this.bytes = bytes;
            this.hash = Arrays.hashCode(bytes);
        }

        Key(final String caller, final byte[] key)
        {
            final byte[] c = caller == null ? new byte[0] : caller.getBytes(StandardCharsets.UTF_8);
            bytes = new byte[4 + c.length + key.length];
            bytes[0] = (byte)(c.length >>> 24);
            bytes[1] = (byte)(c.length >>> 16);
            bytes[2] = (byte)(c.length >>> 8);
            bytes[3] = (byte)c.length;
            System.arraycopy(c, 0, bytes, 4, c.length);
            System.arraycopy(key, 0, bytes, 4 + c.length, key.length);
            hash = Arrays.hashCode(bytes);
        }

        @Override
        public boolean equals(final Object o)
        {
            return o instanceof Key k && Arrays.equals(bytes, k.bytes);
        }

        @Override
        public int hashCode()
        {
            return hash;
        }
    }

    private final long window;
    private final Map<Key, Entry> entries = new HashMap<>();
    private final ArrayDeque<Object[]> order = new ArrayDeque<>();

    IdempotencyIndex(final long window)
    {
        this.window = window;
    }

    Entry find(final String caller, final byte[] key)
    {
        return entries.get(new Key(caller, key));
    }

    /**
     * The records inside the window, oldest first, for a checkpoint image: {@code u32 count}, then per record
     * {@code sized key (u32 caller length | caller UTF-8 | key bytes) | u64 seq | sized fingerprint} (little-endian).
     */
    byte[] encode()
    {
        final java.util.List<Map.Entry<Key, Entry>> live = new java.util.ArrayList<>(entries.entrySet());
        live.sort(java.util.Comparator.comparingLong(e -> e.getValue().seq()));
        final dev.aedb.codec.ByteWriter w = new dev.aedb.codec.ByteWriter(16 + live.size() * 64);
        w.putInt(live.size());
        for (final Map.Entry<Key, Entry> e : live)
        {
            w.putSizedBytes(e.getKey().bytes);
            w.putLong(e.getValue().seq());
            w.putSizedBytes(e.getValue().fingerprint());
        }
        return w.toByteArray();
    }

    /**
     * Recovery: the records a checkpoint image holds ({@link #encode}), before replay adds later ones.
     *
     * @throws dev.aedb.codec.DecodeException when the bytes do not decode.
     */
    void restore(final byte[] bytes)
    {
        final dev.aedb.codec.ByteReader r = new dev.aedb.codec.ByteReader().wrap(new org.agrona.concurrent.UnsafeBuffer(bytes), 0,
            bytes.length);
        final int n = r.getInt();
        if (n < 0 || n > bytes.length)
        {
            throw new dev.aedb.codec.DecodeException("idempotency record count " + n + " out of range");
        }
        for (int i = 0; i < n; i++)
        {
            final Key k = new Key(r.getSizedBytes());
            final long seq = r.getLong();
            final byte[] fingerprint = r.getSizedBytes();
            entries.put(k, new Entry(seq, fingerprint));
            order.addLast(new Object[]{k, seq});
        }
        r.expectEnd();
    }

    void record(final String caller, final byte[] key, final byte[] fingerprint, final long seq)
    {
        final Key k = new Key(caller, key);
        entries.put(k, new Entry(seq, fingerprint));
        order.addLast(new Object[]{k, seq});
        while (!order.isEmpty() && (Long)order.peekFirst()[1] <= seq - window)
        {
            final Object[] oldest = order.pollFirst();
            final Entry e = entries.get((Key)oldest[0]);
            if (e != null && e.seq() == (Long)oldest[1])
            {
                entries.remove((Key)oldest[0]);
            }
        }
    }
}
