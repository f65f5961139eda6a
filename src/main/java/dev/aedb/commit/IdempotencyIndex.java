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
